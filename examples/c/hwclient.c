/*
 * Hello World client: a REQ socket that sends "Hello" and waits for each "World".
 *
 *   hwclient [ENDPOINT=tcp://localhost:5555] [REQUESTS=10]
 */
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

int main(int argc, char **argv) {
    const char *endpoint = argc > 1 ? argv[1] : "tcp://localhost:5555";
    int requests = argc > 2 ? atoi(argv[2]) : 10;

    void *context = zmq_ctx_new();
    void *requester = zmq_socket(context, ZMQ_REQ);
    if (zmq_connect(requester, endpoint) != 0) {
        fprintf(stderr, "hwclient: connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    for (int n = 0; n < requests; n++) {
        printf("Sending Hello %d...\n", n);
        zmq_send(requester, "Hello", 5, 0);
        char buffer[16];
        int size = zmq_recv(requester, buffer, sizeof buffer - 1, 0);
        if (size == -1) {
            fprintf(stderr, "hwclient: recv: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
        buffer[size < 15 ? size : 15] = '\0';
        printf("Received %s %d\n", buffer, n);
    }
    zmq_close(requester);
    zmq_ctx_term(context);
    return 0;
}
