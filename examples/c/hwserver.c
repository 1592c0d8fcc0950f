/*
 * Hello World server: a REP socket that answers each "Hello" with "World".
 *
 *   hwserver [ENDPOINT=tcp://0.0.0.0:5555] [REQUESTS=forever]
 *
 * Built against libzmq or ferromq alike:  cc hwserver.c -lzmq  /  cc hwserver.c -lferromq
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char **argv) {
    const char *endpoint = argc > 1 ? argv[1] : "tcp://*:5555";
    long requests = argc > 2 ? atol(argv[2]) : -1; /* -1: forever */

    void *context = zmq_ctx_new();
    void *responder = zmq_socket(context, ZMQ_REP);
    if (zmq_bind(responder, endpoint) != 0) {
        fprintf(stderr, "hwserver: bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    char bound[256];
    size_t len = sizeof bound;
    zmq_getsockopt(responder, ZMQ_LAST_ENDPOINT, bound, &len);
    printf("hwserver: listening on %s\n", bound);
    fflush(stdout);

    for (long n = 0; requests < 0 || n < requests; n++) {
        char buffer[256];
        int size = zmq_recv(responder, buffer, sizeof buffer - 1, 0);
        if (size == -1) {
            fprintf(stderr, "hwserver: recv: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
        buffer[size < (int) sizeof buffer - 1 ? size : (int) sizeof buffer - 1] = '\0';
        printf("Received %s\n", buffer);
        fflush(stdout);
        zmq_send(responder, "World", 5, 0);
    }
    zmq_close(responder);
    zmq_ctx_term(context);
    return 0;
}
