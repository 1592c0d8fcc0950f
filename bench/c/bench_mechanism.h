/*
 * bench_mechanism.h: the security mechanism of the tcp/ipc benchmark programs,
 * chosen by the environment so that the programs' command lines stay libzmq's.
 *
 *   BENCH_MECHANISM            unset or "null": no security (the default);
 *                              "curve": CURVE (RFC 26)
 *   BENCH_CURVE_SERVER_PUBLIC  with "curve": the server's long-term key pair,
 *   BENCH_CURVE_SERVER_SECRET  40-character Z85 each (bench/c/curve_keypair.c
 *                              makes a fresh pair for every run)
 *
 * The binding side (local_thr, local_lat) is the CURVE server: ZMQ_CURVE_SERVER
 * and the server's secret key. The connecting side (remote_thr, remote_lat) is
 * the client: the server's public key, plus a key pair of its own made here with
 * zmq_curve_keypair. No ZAP handler is running, so every client is accepted, as
 * in libzmq.
 *
 * bench_mechanism_check, called once the first message has gone through, reads
 * ZMQ_MECHANISM back and prints "mechanism: CURVE" (or NULL); a CURVE server
 * only completes a handshake with a CURVE client, so a message arriving at all
 * proves the handshake succeeded. bench/run_c.sh refuses a run without that line.
 */
#ifndef BENCH_MECHANISM_H
#define BENCH_MECHANISM_H

#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mechanism asked for: ZMQ_NULL or ZMQ_CURVE; -1 (with a message) if unknown. */
static int bench_mechanism_wanted (void)
{
    const char *m = getenv ("BENCH_MECHANISM");
    if (!m || !*m || strcmp (m, "null") == 0)
        return ZMQ_NULL;
    if (strcmp (m, "curve") == 0)
        return ZMQ_CURVE;
    printf ("unknown BENCH_MECHANISM: %s (null, curve)\n", m);
    return -1;
}

static int bench_set_key (void *s, int option, const char *z85, const char *what)
{
    if (!z85 || strlen (z85) != 40) {
        printf ("%s must be a 40-character Z85 key\n", what);
        return -1;
    }
    if (zmq_setsockopt (s, option, z85, 40) != 0) {
        printf ("error in zmq_setsockopt (%s): %s\n", what, zmq_strerror (errno));
        return -1;
    }
    return 0;
}

/* Configures socket s before bind/connect; as_server is 1 on the binding side.
   Returns 0, or -1 after printing why. */
static int bench_mechanism_setup (void *s, int as_server)
{
    int wanted = bench_mechanism_wanted ();
    if (wanted != ZMQ_CURVE)
        return wanted == ZMQ_NULL ? 0 : -1;
    if (!zmq_has ("curve")) {
        printf ("this libzmq has no CURVE (zmq_has(\"curve\") = 0)\n");
        return -1;
    }
    if (as_server) {
        int one = 1;
        if (zmq_setsockopt (s, ZMQ_CURVE_SERVER, &one, sizeof one) != 0) {
            printf ("error in zmq_setsockopt (ZMQ_CURVE_SERVER): %s\n",
                    zmq_strerror (errno));
            return -1;
        }
        return bench_set_key (s, ZMQ_CURVE_SECRETKEY,
                              getenv ("BENCH_CURVE_SERVER_SECRET"),
                              "BENCH_CURVE_SERVER_SECRET");
    }
    char public_key[41], secret_key[41];
    if (zmq_curve_keypair (public_key, secret_key) != 0) {
        printf ("error in zmq_curve_keypair: %s\n", zmq_strerror (errno));
        return -1;
    }
    if (bench_set_key (s, ZMQ_CURVE_SERVERKEY, getenv ("BENCH_CURVE_SERVER_PUBLIC"),
                       "BENCH_CURVE_SERVER_PUBLIC")
        || bench_set_key (s, ZMQ_CURVE_PUBLICKEY, public_key, "client public key")
        || bench_set_key (s, ZMQ_CURVE_SECRETKEY, secret_key, "client secret key"))
        return -1;
    return 0;
}

/* After the first message: the socket's mechanism must be the one asked for.
   Prints "mechanism: <NAME>"; returns 0, or -1 after printing why. */
static int bench_mechanism_check (void *s)
{
    int mechanism = -1;
    size_t len = sizeof mechanism;
    int wanted = bench_mechanism_wanted ();
    if (zmq_getsockopt (s, ZMQ_MECHANISM, &mechanism, &len) != 0) {
        printf ("error in zmq_getsockopt (ZMQ_MECHANISM): %s\n", zmq_strerror (errno));
        return -1;
    }
    if (mechanism != wanted) {
        printf ("ZMQ_MECHANISM reads %d, wanted %d\n", mechanism, wanted);
        return -1;
    }
    printf ("mechanism: %s\n", mechanism == ZMQ_CURVE ? "CURVE" : "NULL");
    return 0;
}

#endif
