/*
 * sub_thr: PUB -> SUB throughput benchmark subscriber (see pub_thr.c for
 * the handshake). bench/run_c.sh (KINDS=pubsub) builds it against libzmq
 * and against libferromq; bench/src/sub_thr.rs is the same through
 * ferromq's Rust API.
 *
 *   sub_thr <connect-to> <control-connect-to> <message-size> <message-count>
 *           [hwm]
 *
 * A SUB socket (RCVHWM <hwm>, default 100000) subscribes to everything and
 * connects to <connect-to>; a PUSH socket connects to <control-connect-to>.
 * On the first warm-up marker it sends "R" (ready), then counts data
 * messages until the end marker, and sends "D" (done).
 *
 * As in local_thr, the clock starts when the first data message arrives and
 * stops at the <message-count>-th one (or at the end marker, if some were
 * dropped). throughput = received / elapsed; "messages received" below
 * <message-count> means the publisher dropped messages at its HWM. Prints
 * its CPU time last (bench_cpu_time.h).
 */
#include <zmq.h>
#include "bench_cpu_time.h"
#include <stdio.h>
#include <stdlib.h>

int main (int argc, char *argv[])
{
    const char *connect_to;
    const char *control_connect_to;
    int message_count;
    size_t message_size;
    int hwm = 100000;
    void *ctx;
    void *s;
    void *ctl;
    int rc;
    int ready = 0;
    int received = 0;
    zmq_msg_t msg;
    void *watch = NULL;
    unsigned long elapsed = 0;
    double throughput;
    double megabits;

    if (argc != 5 && argc != 6) {
        printf ("usage: sub_thr <connect-to> <control-connect-to> "
                "<message-size> <message-count> [hwm]\n");
        return 1;
    }
    connect_to = argv[1];
    control_connect_to = argv[2];
    message_size = (size_t) atoi (argv[3]);
    message_count = atoi (argv[4]);
    if (argc == 6)
        hwm = atoi (argv[5]);
    if (message_count < 1) {
        printf ("message count must be at least 1\n");
        return 1;
    }

    ctx = zmq_ctx_new ();
    if (!ctx) {
        printf ("error in zmq_ctx_new: %s\n", zmq_strerror (errno));
        return -1;
    }
    s = zmq_socket (ctx, ZMQ_SUB);
    ctl = zmq_socket (ctx, ZMQ_PUSH);
    if (!s || !ctl) {
        printf ("error in zmq_socket: %s\n", zmq_strerror (errno));
        return -1;
    }
    if (zmq_setsockopt (s, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0
        || zmq_setsockopt (s, ZMQ_SUBSCRIBE, "", 0) != 0) {
        printf ("error in zmq_setsockopt: %s\n", zmq_strerror (errno));
        return -1;
    }
    if (zmq_connect (s, connect_to) != 0
        || zmq_connect (ctl, control_connect_to) != 0) {
        printf ("error in zmq_connect: %s\n", zmq_strerror (errno));
        return -1;
    }

    rc = zmq_msg_init (&msg);
    if (rc != 0) {
        printf ("error in zmq_msg_init: %s\n", zmq_strerror (errno));
        return -1;
    }

    for (;;) {
        rc = zmq_msg_recv (&msg, s, 0);
        if (rc < 0) {
            printf ("error in zmq_msg_recv: %s\n", zmq_strerror (errno));
            return -1;
        }
        if (zmq_msg_more (&msg)) {
            /* A marker: the second frame says which. */
            rc = zmq_msg_recv (&msg, s, 0);
            if (rc < 0) {
                printf ("error in zmq_msg_recv: %s\n", zmq_strerror (errno));
                return -1;
            }
            if (rc == 1 && *(char *) zmq_msg_data (&msg) == 'E')
                break;
            if (!ready) {
                if (zmq_send (ctl, "R", 1, 0) < 0) {
                    printf ("error in zmq_send: %s\n", zmq_strerror (errno));
                    return -1;
                }
                ready = 1;
            }
            continue;
        }
        if (zmq_msg_size (&msg) != message_size) {
            printf ("message of incorrect size received\n");
            return -1;
        }
        /* The first data message starts the clock. */
        if (received++ == 0)
            watch = zmq_stopwatch_start ();
        else if (received == message_count)
            elapsed = zmq_stopwatch_stop (watch);
    }
    if (received > 0 && received < message_count)
        elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;

    if (zmq_send (ctl, "D", 1, 0) < 0) {
        printf ("error in zmq_send: %s\n", zmq_strerror (errno));
        return -1;
    }

    rc = zmq_msg_close (&msg);
    if (rc != 0) {
        printf ("error in zmq_msg_close: %s\n", zmq_strerror (errno));
        return -1;
    }

    throughput = ((double) received / (double) elapsed * 1000000);
    megabits = ((double) throughput * message_size * 8) / 1000000;

    printf ("message size: %d [B]\n", (int) message_size);
    printf ("message count: %d\n", (int) message_count);
    printf ("messages received: %d\n", received);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", (double) megabits);

    zmq_close (s);
    zmq_close (ctl); /* default linger: "D" is delivered first */
    rc = zmq_ctx_term (ctx);
    if (rc != 0) {
        printf ("error in zmq_ctx_term: %s\n", zmq_strerror (errno));
        return -1;
    }
    print_cpu_time ();
    return 0;
}
