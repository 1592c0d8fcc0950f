/*
 * idle_bind: the bound side of bench/run_footprint.sh, one socket with many idle
 * peers.
 *
 *   idle_bind <bind-to> <router|pull> <peers> <heartbeat-ivl-ms>
 *
 * A ROUTER or PULL socket (ZMQ_HEARTBEAT_IVL set when <heartbeat-ivl-ms> > 0)
 * binds to <bind-to> and receives one message from each of <peers> peers
 * (idle_connect), answering each on ROUTER, so every connection has carried
 * traffic both ways before the window. Then it prints "ready" and measures its
 * own CPU time, context switches and RSS between the "start" and "stop" lines
 * the script writes on stdin (bench_proc_stats.h), while nothing is sent.
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
    if (argc != 5) {
        printf ("usage: idle_bind <bind-to> <router|pull> <peers> "
                "<heartbeat-ivl-ms>\n");
        return 1;
    }
    const char *bind_to = argv[1];
    int router = strcmp (argv[2], "router") == 0;
    if (!router && strcmp (argv[2], "pull") != 0) {
        printf ("socket type must be router or pull\n");
        return 1;
    }
    int peers = atoi (argv[3]);
    int ivl = atoi (argv[4]);
    int zero = 0;

    void *ctx = zmq_ctx_new ();
    if (!ctx)
        return fail ("zmq_ctx_new");
    void *s = zmq_socket (ctx, router ? ZMQ_ROUTER : ZMQ_PULL);
    if (!s)
        return fail ("zmq_socket");
    if (ivl > 0 && zmq_setsockopt (s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl) != 0)
        return fail ("zmq_setsockopt (ZMQ_HEARTBEAT_IVL)");
    if (zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero) != 0)
        return fail ("zmq_setsockopt (ZMQ_LINGER)");
    if (zmq_bind (s, bind_to) != 0)
        return fail ("zmq_bind");

    zmq_msg_t id, body;
    zmq_msg_init (&id);
    zmq_msg_init (&body);
    for (int i = 0; i < peers; i++) {
        if (router && zmq_msg_recv (&id, s, 0) < 0)
            return fail ("zmq_msg_recv (routing id)");
        if (zmq_msg_recv (&body, s, 0) < 0)
            return fail ("zmq_msg_recv");
        if (router
            && (zmq_msg_send (&id, s, ZMQ_SNDMORE) < 0
                || zmq_send (s, "ok", 2, 0) != 2))
            return fail ("zmq_send (reply)");
    }
    zmq_msg_close (&id);
    zmq_msg_close (&body);
    printf ("ready: %d peers\n", peers);
    fflush (stdout);

    if (bench_idle_window () != 0) {
        printf ("stdin ended before the window did\n");
        return 1;
    }
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}
