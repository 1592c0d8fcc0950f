/*
 * The C side of bench/soak/sigpipe_storm.py: a PUB with the default signal dispositions
 * (a C program does not ignore SIGPIPE) bound to argv[1], publishing 1 KiB messages until
 * its stdin closes. Subscribers come and go under it; a write of the library's to a peer
 * that has gone must not raise SIGPIPE. Prints "READY" once bound and "SURVIVED <sent>"
 * at the end; killed by SIGPIPE, it prints nothing more (the driver sees the signal).
 */
#define _DEFAULT_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s ENDPOINT\n", argv[0]);
        return 2;
    }
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    int linger = 0;
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(pub, argv[1]) != 0) {
        fprintf(stderr, "bind %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
        return 1;
    }
    printf("READY\n");
    fflush(stdout);
    char payload[1024];
    memset(payload, 'p', sizeof payload);
    long sent = 0;
    struct pollfd in = {0, POLLIN, 0};
    for (;;) {
        for (int i = 0; i < 100; i++)
            if (zmq_send(pub, payload, sizeof payload, ZMQ_DONTWAIT) == (int) sizeof payload)
                sent++;
        if (poll(&in, 1, 0) > 0)
            break; /* stdin readable: EOF, the driver is done */
        usleep(100);
    }
    zmq_close(pub);
    zmq_ctx_term(ctx);
    printf("SURVIVED %ld\n", sent);
    return 0;
}
