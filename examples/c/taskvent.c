/*
 * Task ventilator: a PUSH socket that hands out tasks (a workload in milliseconds) to
 * workers, after telling the sink how many to expect.
 *
 *   taskvent [BIND=tcp://0.0.0.0:5557] [SINK=tcp://localhost:5558] [TASKS=100]
 *
 * Sends wait until a worker is connected (a PUSH with no peer holds its messages), so the
 * workers and the sink may start in any order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char **argv) {
    const char *bind = argc > 1 ? argv[1] : "tcp://*:5557";
    const char *sink_endpoint = argc > 2 ? argv[2] : "tcp://localhost:5558";
    int tasks = argc > 3 ? atoi(argv[3]) : 100;

    void *context = zmq_ctx_new();
    void *sender = zmq_socket(context, ZMQ_PUSH);
    if (zmq_bind(sender, bind) != 0) {
        fprintf(stderr, "taskvent: bind %s: %s\n", bind, zmq_strerror(zmq_errno()));
        return 1;
    }
    char bound[256];
    size_t len = sizeof bound;
    zmq_getsockopt(sender, ZMQ_LAST_ENDPOINT, bound, &len);
    printf("taskvent: distributing on %s\n", bound);
    fflush(stdout);
    void *sink = zmq_socket(context, ZMQ_PUSH);
    if (zmq_connect(sink, sink_endpoint) != 0) {
        fprintf(stderr, "taskvent: connect %s: %s\n", sink_endpoint,
                zmq_strerror(zmq_errno()));
        return 1;
    }
    /* The first message to the sink is the number of tasks: it starts the batch. */
    char text[16];
    int size = snprintf(text, sizeof text, "%d", tasks);
    zmq_send(sink, text, (size_t) size, 0);

    uint32_t seed = 0x9E3779B9u;
    long total_msec = 0;
    for (int n = 0; n < tasks; n++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        int workload = (int) (seed % 100) + 1;
        total_msec += workload;
        size = snprintf(text, sizeof text, "%d", workload);
        if (zmq_send(sender, text, (size_t) size, 0) == -1) {
            fprintf(stderr, "taskvent: send: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
    }
    printf("Total expected cost: %ld msec\n", total_msec);
    /* The default linger (-1) makes zmq_ctx_term wait until every task is delivered. */
    zmq_close(sink);
    zmq_close(sender);
    zmq_ctx_term(context);
    return 0;
}
