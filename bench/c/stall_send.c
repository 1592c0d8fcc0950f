/*
 * stall_send: the sending side of bench/run_footprint.sh's stalled-consumer
 * case: it fills the way to a peer that never reads.
 *
 *   stall_send <bind-to> <push|xpub|router> <message-size> <hwm> <offer>
 *
 * A PUSH, XPUB or ROUTER socket (ZMQ_SNDHWM <hwm>; ROUTER with
 * ZMQ_ROUTER_MANDATORY) binds to <bind-to> and waits for its peer
 * (stall_recv): PUSH sends its first message blocking (it waits for a peer),
 * XPUB receives the peer's subscription, ROUTER the peer's first message.
 * Then it sends <message-size>-byte messages with ZMQ_DONTWAIT until <offer>
 * were accepted (XPUB, like PUB, drops at the HWM and never says EAGAIN) or
 * the way stays full: after EAGAIN it polls for ZMQ_POLLOUT for up to
 * STALL_MS ms (the I/O thread may still be moving messages into the kernel's
 * buffers and the peer's queue) and stops when none comes, so that the
 * sender's queue, the kernel's buffers and the peer's queue are all full.
 * It prints "sent: <n> <stalled|offered>". XPUB stands for PUB here:
 * the same sending path, and the subscription it receives says when the
 * subscriber is there.
 *
 * Its RSS is printed as "rss base: <VmRSS kB>" before any traffic and, when
 * the script writes "report" on stdin, as "rss: <VmRSS kB> <VmHWM kB> [kB]"
 * (bench_proc_stats.h).
 */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_proc_stats.h"

/* How long the way must stay full to count as stalled. */
#define STALL_MS 500

static int fail (const char *what)
{
    printf ("error in %s: %s\n", what, zmq_strerror (errno));
    return 1;
}

int main (int argc, char *argv[])
{
    if (argc != 6) {
        printf ("usage: stall_send <bind-to> <push|xpub|router> <message-size> "
                "<hwm> <offer>\n");
        return 1;
    }
    const char *bind_to = argv[1];
    const char *type = argv[2];
    size_t size = (size_t) atol (argv[3]);
    int hwm = atoi (argv[4]);
    long offer = atol (argv[5]);
    int kind;
    if (strcmp (type, "push") == 0)
        kind = ZMQ_PUSH;
    else if (strcmp (type, "xpub") == 0)
        kind = ZMQ_XPUB;
    else if (strcmp (type, "router") == 0)
        kind = ZMQ_ROUTER;
    else {
        printf ("socket type must be push, xpub or router\n");
        return 1;
    }
    int one = 1, zero = 0;
    char *payload = malloc (size ? size : 1);
    if (!payload)
        return 1;
    memset (payload, 'x', size);

    void *ctx = zmq_ctx_new ();
    if (!ctx)
        return fail ("zmq_ctx_new");
    void *s = zmq_socket (ctx, kind);
    if (!s)
        return fail ("zmq_socket");
    if (zmq_setsockopt (s, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0)
        return fail ("zmq_setsockopt (ZMQ_SNDHWM)");
    if (zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero) != 0)
        return fail ("zmq_setsockopt (ZMQ_LINGER)");
    if (kind == ZMQ_ROUTER
        && zmq_setsockopt (s, ZMQ_ROUTER_MANDATORY, &one, sizeof one) != 0)
        return fail ("zmq_setsockopt (ZMQ_ROUTER_MANDATORY)");
    if (zmq_bind (s, bind_to) != 0)
        return fail ("zmq_bind");
    printf ("rss base: %ld\n", bench_status_kb ("VmRSS"));
    fflush (stdout);

    long sent = 0;
    char id[256];
    int id_len = 0;
    if (kind == ZMQ_PUSH) {
        if (zmq_send (s, payload, size, 0) != (int) size)
            return fail ("zmq_send (first)");
        sent = 1;
    } else {
        char first[256];
        if (kind == ZMQ_ROUTER) {
            id_len = zmq_recv (s, id, sizeof id, 0);
            if (id_len < 0)
                return fail ("zmq_recv (routing id)");
        }
        if (zmq_recv (s, first, sizeof first, 0) < 0)
            return fail ("zmq_recv (peer's first message)");
    }
    const char *why = "offered";
    while (sent < offer) {
        int rc;
        if (kind == ZMQ_ROUTER) {
            rc = zmq_send (s, id, (size_t) id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
            if (rc >= 0)
                rc = zmq_send (s, payload, size, ZMQ_DONTWAIT);
        } else
            rc = zmq_send (s, payload, size, ZMQ_DONTWAIT);
        if (rc < 0) {
            if (errno != EAGAIN)
                return fail ("zmq_send");
            zmq_pollitem_t item = {s, 0, ZMQ_POLLOUT, 0};
            rc = zmq_poll (&item, 1, STALL_MS);
            if (rc < 0)
                return fail ("zmq_poll");
            if (rc == 0) {
                why = "stalled";
                break;
            }
            continue;
        }
        sent++;
    }
    printf ("sent: %ld %s\n", sent, why);
    fflush (stdout);

    if (bench_wait_line ("report") != 0) {
        printf ("stdin ended before \"report\"\n");
        return 1;
    }
    printf ("rss: %ld %ld [kB]\n", bench_status_kb ("VmRSS"), bench_status_kb ("VmHWM"));
    fflush (stdout);
    zmq_close (s);
    zmq_ctx_term (ctx);
    free (payload);
    return 0;
}
