/*
 * Task worker: pulls tasks from the ventilator, "works" (sleeps) for each one's workload in
 * milliseconds, and pushes an empty result to the sink.
 *
 *   taskwork [VENTILATOR=tcp://localhost:5557] [SINK=tcp://localhost:5558] [IDLE_EXIT_MS=forever]
 *
 * With IDLE_EXIT_MS, the worker exits once no task has arrived for that long.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

int main(int argc, char **argv) {
    const char *ventilator = argc > 1 ? argv[1] : "tcp://localhost:5557";
    const char *sink_endpoint = argc > 2 ? argv[2] : "tcp://localhost:5558";
    int idle_exit_ms = argc > 3 ? atoi(argv[3]) : -1;

    void *context = zmq_ctx_new();
    void *receiver = zmq_socket(context, ZMQ_PULL);
    zmq_setsockopt(receiver, ZMQ_RCVTIMEO, &idle_exit_ms, sizeof idle_exit_ms);
    void *sender = zmq_socket(context, ZMQ_PUSH);
    if (zmq_connect(receiver, ventilator) != 0 || zmq_connect(sender, sink_endpoint) != 0) {
        fprintf(stderr, "taskwork: connect: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    int status = 0;
    for (;;) {
        char text[16];
        int size = zmq_recv(receiver, text, sizeof text - 1, 0);
        if (size == -1) {
            if (zmq_errno() != EAGAIN) { /* EAGAIN: idle for IDLE_EXIT_MS, done */
                fprintf(stderr, "taskwork: recv: %s\n", zmq_strerror(zmq_errno()));
                status = 1;
            }
            break;
        }
        text[size < 15 ? size : 15] = '\0';
        int msec = atoi(text);
        printf(".");
        fflush(stdout);
        struct timespec t = {msec / 1000, (long) (msec % 1000) * 1000000L};
        nanosleep(&t, NULL);
        zmq_send(sender, "", 0, 0);
    }
    printf("\n");
    zmq_close(receiver);
    zmq_close(sender); /* linger -1: the last results are delivered before exit */
    zmq_ctx_term(context);
    return status;
}
