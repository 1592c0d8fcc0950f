/*
 * remote_thr: throughput benchmark sender for libzmq, with the command line
 * of libzmq's perf/remote_thr.
 *
 *   remote_thr <connect-to> <message-size> <message-count>
 *
 * A PUSH socket connects to <connect-to> and sends <message-count> messages
 * of <message-size> bytes, then closes the socket with the default linger
 * (so every queued message is delivered) and terminates the context.
 *
 * If BENCH_CLOSE_DELAY_MS is set in the environment, it first sleeps that
 * long before zmq_close: libzmq 4.3.x over ipc:// can discard the tail of
 * the queue at close despite the infinite linger (libzmq issue #4660), which
 * leaves the receiver waiting forever. The receiver's clock is unaffected.
 *
 * BENCH_MECHANISM=curve makes the socket a CURVE client (bench_mechanism.h).
 * Last, once the context is terminated, it prints its CPU time (user and
 * sys, every thread's) as "cpu time: <user> <sys> [us]".
 */
#include <zmq.h>
#include "bench_mechanism.h"
#include <stdio.h>
#include <stdlib.h>
#include "bench_cpu_time.h"
#include <string.h>
#include <time.h>

int main (int argc, char *argv[])
{
    const char *connect_to;
    int message_count;
    int message_size;
    void *ctx;
    void *s;
    int rc;
    int i;
    zmq_msg_t msg;

    if (argc != 4) {
        printf ("usage: remote_thr <connect-to> <message-size> "
                "<message-count>\n");
        return 1;
    }
    connect_to = argv[1];
    message_size = atoi (argv[2]);
    message_count = atoi (argv[3]);

    ctx = zmq_ctx_new ();
    if (!ctx) {
        printf ("error in zmq_ctx_new: %s\n", zmq_strerror (errno));
        return -1;
    }

    s = zmq_socket (ctx, ZMQ_PUSH);
    if (!s) {
        printf ("error in zmq_socket: %s\n", zmq_strerror (errno));
        return -1;
    }

    if (bench_mechanism_setup (s, 0) != 0)
        return -1;

    rc = zmq_connect (s, connect_to);
    if (rc != 0) {
        printf ("error in zmq_connect: %s\n", zmq_strerror (errno));
        return -1;
    }

    for (i = 0; i != message_count; i++) {
        /* Like libzmq's remote_thr: a fresh message of the requested size
           each time (small ones are stored inline, large ones allocated). */
        rc = zmq_msg_init_size (&msg, message_size);
        if (rc != 0) {
            printf ("error in zmq_msg_init_size: %s\n", zmq_strerror (errno));
            return -1;
        }
        rc = zmq_sendmsg (s, &msg, 0);
        if (rc < 0) {
            printf ("error in zmq_sendmsg: %s\n", zmq_strerror (errno));
            return -1;
        }
        rc = zmq_msg_close (&msg);
        if (rc != 0) {
            printf ("error in zmq_msg_close: %s\n", zmq_strerror (errno));
            return -1;
        }
    }

    if (bench_mechanism_check (s) != 0)
        return -1;

    if (getenv ("BENCH_CLOSE_DELAY_MS")) {
        long ms = atol (getenv ("BENCH_CLOSE_DELAY_MS"));
        struct timespec ts;
        ts.tv_sec = ms / 1000;
        ts.tv_nsec = (ms % 1000) * 1000000L;
        if (ms > 0)
            nanosleep (&ts, NULL);
    }

    rc = zmq_close (s);
    if (rc != 0) {
        printf ("error in zmq_close: %s\n", zmq_strerror (errno));
        return -1;
    }

    rc = zmq_ctx_term (ctx);
    if (rc != 0) {
        printf ("error in zmq_ctx_term: %s\n", zmq_strerror (errno));
        return -1;
    }

    print_cpu_time ();
    return 0;
}
