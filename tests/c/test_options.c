/*
 * Socket options round trip, defaults, and EINVAL for misuse:
 * int options (SNDHWM, RCVHWM, LINGER, RCVTIMEO, SNDTIMEO, ...), ROUTING_ID bytes,
 * LAST_ENDPOINT (string with its NUL counted in the size), TYPE, RCVMORE, EVENTS, FD;
 * a bad option number, a wrong optvallen, a too-small buffer, read-only options.
 */
#include "testutil.h"

static void int_round_trip(void *s, int option, const char *name, int value) {
    tu_set_int(s, option, value);
    int got = tu_get_int(s, option);
    if (got != value)
        TU_FAIL("%s: set %d, got %d", name, value, got);
}
#define ROUND_TRIP(s, opt, v) int_round_trip(s, opt, #opt, v)

int main(void) {
    tu_init("test_options", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    CHECK(s != NULL);

    /* Defaults (libzmq 4.3). */
    CHECK_EQ_INT(tu_get_int(s, ZMQ_SNDHWM), 1000);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_RCVHWM), 1000);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_LINGER), -1);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_RCVTIMEO), -1);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_SNDTIMEO), -1);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_TYPE), ZMQ_DEALER);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_RCVMORE), 0);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_IMMEDIATE), 0);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_RECONNECT_IVL), 100);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_IPV6), 0);
    TU_PASS("defaults");

    /* Round trips. */
    ROUND_TRIP(s, ZMQ_SNDHWM, 0);
    ROUND_TRIP(s, ZMQ_SNDHWM, 5);
    ROUND_TRIP(s, ZMQ_RCVHWM, 123456);
    ROUND_TRIP(s, ZMQ_LINGER, 0);
    ROUND_TRIP(s, ZMQ_LINGER, 2500);
    ROUND_TRIP(s, ZMQ_LINGER, -1);
    ROUND_TRIP(s, ZMQ_RCVTIMEO, 1500);
    ROUND_TRIP(s, ZMQ_RCVTIMEO, -1);
    ROUND_TRIP(s, ZMQ_SNDTIMEO, 0);
    ROUND_TRIP(s, ZMQ_SNDTIMEO, 250);
    ROUND_TRIP(s, ZMQ_IMMEDIATE, 1);
    ROUND_TRIP(s, ZMQ_RECONNECT_IVL, 50);
    ROUND_TRIP(s, ZMQ_RECONNECT_IVL_MAX, 2000);
    ROUND_TRIP(s, ZMQ_BACKLOG, 17);
    ROUND_TRIP(s, ZMQ_IPV6, 1);
    ROUND_TRIP(s, ZMQ_IPV6, 0);
    int64_t maxmsg = 1 << 20, got64 = 0;
    size_t len = sizeof got64;
    CHECK_OK(zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg));
    CHECK_OK(zmq_getsockopt(s, ZMQ_MAXMSGSIZE, &got64, &len));
    CHECK_EQ_INT(len, sizeof got64);
    CHECK_EQ_INT(got64, maxmsg);
    TU_PASS("int options round trip");

    /* ROUTING_ID: arbitrary bytes (including NUL), 1..255 long. */
    unsigned char id[5] = {'i', 0, 'd', 0xff, 7};
    unsigned char idbuf[256];
    len = sizeof idbuf;
    CHECK_OK(zmq_getsockopt(s, ZMQ_ROUTING_ID, idbuf, &len));
    CHECK_EQ_INT(len, 0);
    CHECK_OK(zmq_setsockopt(s, ZMQ_ROUTING_ID, id, sizeof id));
    len = sizeof idbuf;
    CHECK_OK(zmq_getsockopt(s, ZMQ_ROUTING_ID, idbuf, &len));
    CHECK_MEM(idbuf, len, id, sizeof id);
    CHECK_EQ_INT(ZMQ_IDENTITY, ZMQ_ROUTING_ID); /* the old name */
    len = sizeof idbuf;
    CHECK_OK(zmq_getsockopt(s, ZMQ_IDENTITY, idbuf, &len));
    CHECK_MEM(idbuf, len, id, sizeof id);
    unsigned char long_id[256];
    memset(long_id, 'x', sizeof long_id);
    CHECK_ERR(zmq_setsockopt(s, ZMQ_ROUTING_ID, long_id, 256), EINVAL);
    CHECK_OK(zmq_setsockopt(s, ZMQ_ROUTING_ID, long_id, 255));
    CHECK_ERR(zmq_setsockopt(s, ZMQ_ROUTING_ID, "", 0), EINVAL);
    TU_PASS("ROUTING_ID");

    /* LAST_ENDPOINT: "" (size 1, the NUL) before any bind; then the resolved endpoint. */
    char ep[256];
    len = sizeof ep;
    memset(ep, 'z', sizeof ep);
    CHECK_OK(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len));
    CHECK_EQ_INT(len, 1);
    CHECK_EQ_INT(ep[0], '\0');
    CHECK_OK(zmq_bind(s, "tcp://127.0.0.1:*"));
    len = sizeof ep;
    CHECK_OK(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len));
    CHECK_EQ_INT(len, strlen(ep) + 1);
    CHECK(strncmp(ep, "tcp://127.0.0.1:", 16) == 0);
    CHECK(atoi(ep + 16) > 0);
    char small[8];
    len = sizeof small;
    CHECK_ERR(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, small, &len), EINVAL);
    char ipc_ep[256];
    void *p = zmq_socket(ctx, ZMQ_PULL);
    tu_bind(p, "ipc", ipc_ep, sizeof ipc_ep);
    CHECK(strncmp(ipc_ep, "ipc://", 6) == 0 && strstr(ipc_ep, tu_dir) != NULL);
    len = sizeof ep;
    CHECK_OK(zmq_connect(p, "inproc://opt-test"));
    CHECK_OK(zmq_getsockopt(p, ZMQ_LAST_ENDPOINT, ep, &len)); /* connect updates it too */
    CHECK_EQ_STR(ep, "inproc://opt-test");
    TU_PASS("LAST_ENDPOINT");

    /* TYPE for each socket type (ZMQ_STREAM, raw TCP, is not one ferromq has). */
    int types[] = {ZMQ_PAIR,   ZMQ_PUB,    ZMQ_SUB,  ZMQ_REQ,  ZMQ_REP, ZMQ_DEALER,
                   ZMQ_ROUTER, ZMQ_PULL,   ZMQ_PUSH, ZMQ_XPUB, ZMQ_XSUB};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        void *t = zmq_socket(ctx, types[i]);
        CHECK(t != NULL);
        CHECK_EQ_INT(tu_get_int(t, ZMQ_TYPE), types[i]);
        CHECK_OK(zmq_close(t));
    }
    TU_PASS("TYPE");

    /* RCVMORE and EVENTS follow the traffic; FD is a valid descriptor. */
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(push != NULL);
    CHECK_EQ_INT(tu_get_int(push, ZMQ_EVENTS), 0); /* no peer: cannot send */
    CHECK_OK(zmq_connect(push, ipc_ep));
    int64_t deadline = tu_now_ms() + 5000;
    while (tu_get_int(push, ZMQ_EVENTS) != ZMQ_POLLOUT && tu_now_ms() < deadline)
        tu_sleep_ms(5);
    CHECK_EQ_INT(tu_get_int(push, ZMQ_EVENTS), ZMQ_POLLOUT);
    tu_set_int(p, ZMQ_RCVTIMEO, 5000);
    tu_send_str(push, "a", ZMQ_SNDMORE);
    tu_send_str(push, "b", 0);
    deadline = tu_now_ms() + 5000;
    while (tu_get_int(p, ZMQ_EVENTS) != ZMQ_POLLIN && tu_now_ms() < deadline)
        tu_sleep_ms(5);
    CHECK_EQ_INT(tu_get_int(p, ZMQ_EVENTS), ZMQ_POLLIN);
    tu_recv_expect(p, "a", 1);
    CHECK_EQ_INT(tu_get_int(p, ZMQ_RCVMORE), 1);
    tu_recv_expect(p, "b", 0);
    CHECK_EQ_INT(tu_get_int(p, ZMQ_EVENTS), 0);
    int fd = -1;
    len = sizeof fd;
    CHECK_OK(zmq_getsockopt(p, ZMQ_FD, &fd, &len));
    CHECK_EQ_INT(len, sizeof fd);
    CHECK(fd >= 0);
    TU_PASS("RCVMORE/EVENTS/FD");

    /* SUBSCRIBE: only on SUB (and XSUB); binary topics allowed. */
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "\0\1", 2));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "\0\1", 2));
    CHECK_ERR(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "x", 1), EINVAL);
    TU_PASS("SUBSCRIBE");

    /* Misuse. */
    int v = 1;
    len = sizeof v;
    CHECK_ERR(zmq_setsockopt(s, 9999, &v, sizeof v), EINVAL);
    CHECK_ERR(zmq_getsockopt(s, 9999, &v, &len), EINVAL);
    CHECK_ERR(zmq_setsockopt(s, -1, &v, sizeof v), EINVAL);
    CHECK_ERR(zmq_setsockopt(s, ZMQ_SNDHWM, &v, 2), EINVAL);         /* wrong optvallen */
    CHECK_ERR(zmq_setsockopt(s, ZMQ_LINGER, &v, sizeof v + 4), EINVAL);
    v = -1;
    CHECK_ERR(zmq_setsockopt(s, ZMQ_SNDHWM, &v, sizeof v), EINVAL); /* out of range */
    CHECK_ERR(zmq_setsockopt(s, ZMQ_LINGER, (int[]){-2}, sizeof(int)), EINVAL);
    CHECK_ERR(zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &v, sizeof v), EINVAL); /* wants int64 */
    len = 2;
    CHECK_ERR(zmq_getsockopt(s, ZMQ_SNDHWM, &v, &len), EINVAL);       /* buffer too small */
    CHECK_ERR(zmq_setsockopt(s, ZMQ_TYPE, (int[]){ZMQ_PUB}, sizeof(int)), EINVAL);
    CHECK_ERR(zmq_setsockopt(s, ZMQ_RCVMORE, (int[]){1}, sizeof(int)), EINVAL);
    CHECK_ERR(zmq_setsockopt(s, ZMQ_EVENTS, (int[]){1}, sizeof(int)), EINVAL);
    CHECK_ERR(zmq_setsockopt(s, ZMQ_LAST_ENDPOINT, "x", 1), EINVAL);
    /* The failed calls changed nothing. */
    CHECK_EQ_INT(tu_get_int(s, ZMQ_SNDHWM), 5);
    TU_PASS("EINVAL for misuse");

    CHECK_OK(zmq_close(sub));
    tu_close(push);
    tu_close(p);
    tu_close(s);
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
