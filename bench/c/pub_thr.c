/*
 * pub_thr: PUB -> SUB throughput benchmark publisher (the counterpart of
 * sub_thr.c). bench/run_c.sh (KINDS=pubsub) builds it against libzmq and
 * against libferromq; bench/src/pub_thr.rs is the same through ferromq's
 * Rust API.
 *
 *   pub_thr <bind-to> <control-bind-to> <message-size> <message-count>
 *           <subscribers> [hwm]
 *
 * A PUB socket binds to <bind-to> and a PULL socket (the control channel) to
 * <control-bind-to>; SNDHWM is <hwm> (default 100000).
 *
 * Handshake against the slow-joiner problem: until every one of the
 * <subscribers> subscribers has reported "ready" on the control channel, the
 * publisher sends a warm-up marker about once per millisecond. A subscriber
 * reports ready when it receives its first warm-up marker, which proves that
 * its subscription has reached the publisher; since a PUB pipe is FIFO, every
 * later message reaches it too unless a high-water mark drops it. Then the
 * publisher sends <message-count> data messages of <message-size> bytes,
 * then an end marker, repeated every 10 ms until every subscriber has
 * reported "done" (so a marker dropped at the HWM cannot hang a subscriber).
 *
 * Data messages have one frame; markers have two (an empty frame, then "W"
 * for warm-up or "E" for end), so a subscriber tells them apart by the
 * "more" flag of the first frame whatever <message-size> is.
 *
 * Output: the sending rate (count / time to hand all messages to the
 * socket), for information only (throughput is measured by sub_thr), then
 * its CPU time (bench_cpu_time.h).
 */
#include <zmq.h>
#include "bench_cpu_time.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sleep_ms (int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long) (ms % 1000) * 1000000L;
    nanosleep (&ts, NULL);
}

static int send_marker (void *s, const char *kind)
{
    if (zmq_send (s, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    if (zmq_send (s, kind, 1, ZMQ_DONTWAIT) < 0)
        return -1;
    return 0;
}

/* Counts the control messages starting with <kind> that are waiting. */
static int drain_control (void *ctl, char kind)
{
    char buf[16];
    int n = 0;
    int rc;
    while ((rc = zmq_recv (ctl, buf, sizeof buf, ZMQ_DONTWAIT)) >= 0) {
        if (rc >= 1 && buf[0] == kind)
            n++;
    }
    return n;
}

int main (int argc, char *argv[])
{
    const char *bind_to;
    const char *control_bind_to;
    int message_count;
    int message_size;
    int subscribers;
    int hwm = 100000;
    void *ctx;
    void *s;
    void *ctl;
    int rc;
    int i;
    int ready = 0;
    int done = 0;
    int warmups = 0;
    zmq_msg_t msg;
    void *watch;
    unsigned long elapsed;
    double rate;

    if (argc != 6 && argc != 7) {
        printf ("usage: pub_thr <bind-to> <control-bind-to> <message-size> "
                "<message-count> <subscribers> [hwm]\n");
        return 1;
    }
    bind_to = argv[1];
    control_bind_to = argv[2];
    message_size = atoi (argv[3]);
    message_count = atoi (argv[4]);
    subscribers = atoi (argv[5]);
    if (argc == 7)
        hwm = atoi (argv[6]);
    if (message_count < 1 || subscribers < 1) {
        printf ("message count and subscribers must be at least 1\n");
        return 1;
    }

    ctx = zmq_ctx_new ();
    if (!ctx) {
        printf ("error in zmq_ctx_new: %s\n", zmq_strerror (errno));
        return -1;
    }

    s = zmq_socket (ctx, ZMQ_PUB);
    ctl = zmq_socket (ctx, ZMQ_PULL);
    if (!s || !ctl) {
        printf ("error in zmq_socket: %s\n", zmq_strerror (errno));
        return -1;
    }
    rc = zmq_setsockopt (s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (rc != 0) {
        printf ("error in zmq_setsockopt: %s\n", zmq_strerror (errno));
        return -1;
    }
    rc = zmq_bind (s, bind_to);
    if (rc != 0) {
        printf ("error in zmq_bind: %s\n", zmq_strerror (errno));
        return -1;
    }
    rc = zmq_bind (ctl, control_bind_to);
    if (rc != 0) {
        printf ("error in zmq_bind (control): %s\n", zmq_strerror (errno));
        return -1;
    }

    /* Warm-up until every subscriber is known to receive. */
    while (ready < subscribers) {
        if (send_marker (s, "W") != 0) {
            printf ("error in zmq_send: %s\n", zmq_strerror (errno));
            return -1;
        }
        warmups++;
        sleep_ms (1);
        ready += drain_control (ctl, 'R');
    }

    watch = zmq_stopwatch_start ();
    for (i = 0; i != message_count; i++) {
        /* Like remote_thr: a fresh message of the requested size each time. */
        rc = zmq_msg_init_size (&msg, message_size);
        if (rc != 0) {
            printf ("error in zmq_msg_init_size: %s\n", zmq_strerror (errno));
            return -1;
        }
        memset (zmq_msg_data (&msg), 0, message_size);
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
    elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;

    /* End marker until everybody is done. */
    while (done < subscribers) {
        if (send_marker (s, "E") != 0) {
            printf ("error in zmq_send: %s\n", zmq_strerror (errno));
            return -1;
        }
        sleep_ms (10);
        done += drain_control (ctl, 'D');
    }

    rate = (double) message_count / (double) elapsed * 1000000;
    printf ("message size: %d [B]\n", message_size);
    printf ("message count: %d\n", message_count);
    printf ("subscribers: %d\n", subscribers);
    printf ("warm-up markers: %d\n", warmups);
    printf ("send rate: %d [msg/s]\n", (int) rate);

    zmq_close (ctl);
    zmq_close (s);
    rc = zmq_ctx_term (ctx);
    if (rc != 0) {
        printf ("error in zmq_ctx_term: %s\n", zmq_strerror (errno));
        return -1;
    }
    print_cpu_time ();
    return 0;
}
