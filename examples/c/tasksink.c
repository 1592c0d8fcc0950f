/*
 * Task sink: collects one result per task from the workers and reports how long the whole
 * batch took.
 *
 *   tasksink [BIND=tcp://0.0.0.0:5558]
 *
 * The ventilator's message (the task count, non-empty) starts the batch; results (empty
 * messages) from fast workers that arrive before it are counted too.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    const char *bind = argc > 1 ? argv[1] : "tcp://*:5558";

    void *context = zmq_ctx_new();
    void *receiver = zmq_socket(context, ZMQ_PULL);
    if (zmq_bind(receiver, bind) != 0) {
        fprintf(stderr, "tasksink: bind %s: %s\n", bind, zmq_strerror(zmq_errno()));
        return 1;
    }
    char bound[256];
    size_t len = sizeof bound;
    zmq_getsockopt(receiver, ZMQ_LAST_ENDPOINT, bound, &len);
    printf("tasksink: collecting on %s\n", bound);
    fflush(stdout);

    int tasks = -1, results = 0;
    long long start = 0;
    while (tasks < 0 || results < tasks) {
        char text[16];
        int size = zmq_recv(receiver, text, sizeof text - 1, 0);
        if (size == -1) {
            fprintf(stderr, "tasksink: recv: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
        if (size > 0 && tasks < 0) {
            text[size < 15 ? size : 15] = '\0';
            tasks = atoi(text);
            start = now_ms();
        } else {
            results++;
            if (results % 10 == 0)
                printf(":");
            else
                printf(".");
            fflush(stdout);
        }
    }
    printf("\nCollected %d results in %lld msec\n", results, now_ms() - start);
    zmq_close(receiver);
    zmq_ctx_term(context);
    return 0;
}
