/*
 * idle_connect: the connecting side of bench/run_footprint.sh, many idle peers in
 * one process.
 *
 *   idle_connect <connect-to> <dealer|push> <peers> <heartbeat-ivl-ms>
 *
 * Opens <peers> DEALER or PUSH sockets in one context (ZMQ_MAX_SOCKETS raised
 * to fit; ZMQ_HEARTBEAT_IVL set when <heartbeat-ivl-ms> > 0), connects each to
 * <connect-to> and sends one message on each; a DEALER then waits for the
 * answer on each (a round trip per peer). It prints "ready" and measures its
 * own CPU time, context switches and RSS between the "start" and "stop" lines
 * on stdin (bench_proc_stats.h), while nothing is sent.
 */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_proc_stats.h"

static int fail (const char *what, int i)
{
    printf ("error in %s (peer %d): %s\n", what, i, zmq_strerror (errno));
    return 1;
}

int main (int argc, char *argv[])
{
    if (argc != 5) {
        printf ("usage: idle_connect <connect-to> <dealer|push> <peers> "
                "<heartbeat-ivl-ms>\n");
        return 1;
    }
    const char *connect_to = argv[1];
    int dealer = strcmp (argv[2], "dealer") == 0;
    if (!dealer && strcmp (argv[2], "push") != 0) {
        printf ("socket type must be dealer or push\n");
        return 1;
    }
    int peers = atoi (argv[3]);
    int ivl = atoi (argv[4]);
    int zero = 0;
    if (peers < 1) {
        printf ("peers must be at least 1\n");
        return 1;
    }

    void *ctx = zmq_ctx_new ();
    if (!ctx)
        return fail ("zmq_ctx_new", -1);
    if (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, peers + 16) != 0)
        return fail ("zmq_ctx_set (ZMQ_MAX_SOCKETS)", -1);
    void **socks = calloc ((size_t) peers, sizeof *socks);
    if (!socks)
        return 1;
    for (int i = 0; i < peers; i++) {
        socks[i] = zmq_socket (ctx, dealer ? ZMQ_DEALER : ZMQ_PUSH);
        if (!socks[i])
            return fail ("zmq_socket", i);
        if (ivl > 0
            && zmq_setsockopt (socks[i], ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl) != 0)
            return fail ("zmq_setsockopt (ZMQ_HEARTBEAT_IVL)", i);
        if (zmq_setsockopt (socks[i], ZMQ_LINGER, &zero, sizeof zero) != 0)
            return fail ("zmq_setsockopt (ZMQ_LINGER)", i);
        if (zmq_connect (socks[i], connect_to) != 0)
            return fail ("zmq_connect", i);
        if (zmq_send (socks[i], "hi", 2, 0) != 2)
            return fail ("zmq_send", i);
    }
    if (dealer) {
        char buf[8];
        for (int i = 0; i < peers; i++)
            if (zmq_recv (socks[i], buf, sizeof buf, 0) != 2)
                return fail ("zmq_recv (answer)", i);
    }
    printf ("ready: %d peers\n", peers);
    fflush (stdout);

    if (bench_idle_window () != 0) {
        printf ("stdin ended before the window did\n");
        return 1;
    }
    for (int i = 0; i < peers; i++)
        zmq_close (socks[i]);
    free (socks);
    zmq_ctx_term (ctx);
    return 0;
}
