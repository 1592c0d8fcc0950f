/*
 * stall_recv: the consumer of bench/run_footprint.sh's stalled-consumer case,
 * which never reads.
 *
 *   stall_recv <connect-to> <pull|sub|dealer> <hwm>
 *
 * A PULL, SUB (subscribed to everything) or DEALER (routing id "peer", which
 * sends one message so that the ROUTER knows it) socket with ZMQ_RCVHWM <hwm>
 * connects to <connect-to> and then never receives: what the sender pushes
 * piles up in its queue, then in the kernel's buffers, then at the sender.
 * It prints "rss base: <VmRSS kB>" once connecting has begun and, when the
 * script writes "report" on stdin, "rss: <VmRSS kB> <VmHWM kB> [kB]"
 * (bench_proc_stats.h).
 */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_proc_stats.h"

static int fail (const char *what)
{
    printf ("error in %s: %s\n", what, zmq_strerror (errno));
    return 1;
}

int main (int argc, char *argv[])
{
    if (argc != 4) {
        printf ("usage: stall_recv <connect-to> <pull|sub|dealer> <hwm>\n");
        return 1;
    }
    const char *connect_to = argv[1];
    const char *type = argv[2];
    int hwm = atoi (argv[3]);
    int zero = 0;
    int kind;
    if (strcmp (type, "pull") == 0)
        kind = ZMQ_PULL;
    else if (strcmp (type, "sub") == 0)
        kind = ZMQ_SUB;
    else if (strcmp (type, "dealer") == 0)
        kind = ZMQ_DEALER;
    else {
        printf ("socket type must be pull, sub or dealer\n");
        return 1;
    }

    void *ctx = zmq_ctx_new ();
    if (!ctx)
        return fail ("zmq_ctx_new");
    void *s = zmq_socket (ctx, kind);
    if (!s)
        return fail ("zmq_socket");
    if (zmq_setsockopt (s, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0)
        return fail ("zmq_setsockopt (ZMQ_RCVHWM)");
    if (zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero) != 0)
        return fail ("zmq_setsockopt (ZMQ_LINGER)");
    if (kind == ZMQ_SUB && zmq_setsockopt (s, ZMQ_SUBSCRIBE, "", 0) != 0)
        return fail ("zmq_setsockopt (ZMQ_SUBSCRIBE)");
    if (kind == ZMQ_DEALER && zmq_setsockopt (s, ZMQ_ROUTING_ID, "peer", 4) != 0)
        return fail ("zmq_setsockopt (ZMQ_ROUTING_ID)");
    if (zmq_connect (s, connect_to) != 0)
        return fail ("zmq_connect");
    printf ("rss base: %ld\n", bench_status_kb ("VmRSS"));
    fflush (stdout);
    if (kind == ZMQ_DEALER && zmq_send (s, "hi", 2, 0) != 2)
        return fail ("zmq_send");

    if (bench_wait_line ("report") != 0) {
        printf ("stdin ended before \"report\"\n");
        return 1;
    }
    printf ("rss: %ld %ld [kB]\n", bench_status_kb ("VmRSS"), bench_status_kb ("VmHWM"));
    fflush (stdout);
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}
