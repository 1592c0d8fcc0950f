/*
 * High-water marks and flow-control credit (issue 10 pipe accounting, issue 11 item 5),
 * checked against libzmq's numbers:
 *
 * - inproc: a pipe holds the sender's SNDHWM plus the receiver's RCVHWM (unlimited when
 *   either is 0), whether the bind or the connect came first, and after either side
 *   changes its HWM on the live connection (libzmq's test_hwm cases);
 * - inproc: messages sent by a socket that connected before the bind and closed before
 *   it are delivered when the bind happens;
 * - credit returns while the reader reads, at the pipe's low-water mark (half its HWM),
 *   not only when the reader's batch runs dry;
 * - tcp: with SNDHWM 1000 and a peer that never reads, PUSH accepts exactly 1000 large
 *   messages (what the kernel takes is never acknowledged below the low-water mark).
 */
#include "testutil.h"

#include "rawpeer.h"

#include <poll.h>

#define MAX_SENDS 10000

enum order { BIND_FIRST, CONNECT_FIRST };

static void set_int(void *s, int opt, int v) {
    CHECK_OK(zmq_setsockopt(s, opt, &v, sizeof v));
}

/* Sends empty messages with ZMQ_DONTWAIT until EAGAIN (at most `max`). */
static int fill(void *s, int max) {
    int n = 0;
    while (n < max && zmq_send(s, NULL, 0, ZMQ_DONTWAIT) == 0)
        n++;
    if (n < max)
        CHECK_EQ_INT(zmq_errno(), EAGAIN);
    return n;
}

static int drain(void *s) {
    int n = 0;
    while (zmq_recv(s, NULL, 0, ZMQ_DONTWAIT) == 0)
        n++;
    CHECK_EQ_INT(zmq_errno(), EAGAIN);
    return n;
}

/* A PUSH with SNDHWM `snd` connected over inproc to a PULL with RCVHWM `rcv`. */
static void pair(void *ctx, int snd, int rcv, enum order order, void **push, void **pull) {
    static int counter = 0;
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://hwm-%d", ++counter);
    *push = zmq_socket(ctx, ZMQ_PUSH);
    *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(*push && *pull);
    set_int(*push, ZMQ_SNDHWM, snd);
    set_int(*pull, ZMQ_RCVHWM, rcv);
    set_int(*push, ZMQ_LINGER, 0);
    set_int(*pull, ZMQ_LINGER, 0);
    if (order == BIND_FIRST) {
        CHECK_OK(zmq_bind(*pull, ep));
        CHECK_OK(zmq_connect(*push, ep));
    } else {
        CHECK_OK(zmq_connect(*push, ep));
        CHECK_OK(zmq_bind(*pull, ep));
    }
}

static int count_msg(void *ctx, int snd, int rcv, enum order order) {
    void *push, *pull;
    pair(ctx, snd, rcv, order, &push, &pull);
    int sent = fill(push, MAX_SENDS);
    CHECK_EQ_INT(drain(pull), sent);
    /* Everything read: there is room again (the credit may take a moment to arrive). */
    set_int(push, ZMQ_SNDTIMEO, 2000);
    CHECK_OK(zmq_send(push, NULL, 0, 0));
    set_int(pull, ZMQ_RCVTIMEO, 2000);
    CHECK_OK(zmq_recv(pull, NULL, 0, 0));
    CHECK_OK(zmq_close(push));
    CHECK_OK(zmq_close(pull));
    return sent;
}

static void inproc_sums(void *ctx) {
    for (int o = BIND_FIRST; o <= CONNECT_FIRST; o++) {
        CHECK_EQ_INT(count_msg(ctx, 1000, 1000, o), 2000);
        CHECK_EQ_INT(count_msg(ctx, 0, 0, o), MAX_SENDS);
        CHECK_EQ_INT(count_msg(ctx, 1, 0, o), MAX_SENDS);
        CHECK_EQ_INT(count_msg(ctx, 0, 1, o), MAX_SENDS);
        CHECK_EQ_INT(count_msg(ctx, 1, 1, o), 2);
        CHECK_EQ_INT(count_msg(ctx, 10, 20, o), 30);
    }
    TU_PASS("inproc holds SNDHWM + RCVHWM, bind or connect first");
}

/* HWM changes on a live inproc connection keep the sum. */
static void inproc_option_change(void *ctx) {
    for (int o = BIND_FIRST; o <= CONNECT_FIRST; o++) {
        void *push, *pull;
        pair(ctx, 10, 20, o, &push, &pull);
        set_int(push, ZMQ_SNDHWM, 5);
        CHECK_EQ_INT(fill(push, MAX_SENDS), 25);
        CHECK_EQ_INT(drain(pull), 25);
        CHECK_OK(zmq_close(push));
        CHECK_OK(zmq_close(pull));
    }
    TU_PASS("a new SNDHWM on a live inproc connection still adds the peer's RCVHWM");
}

static void inproc_connect_and_close_before_bind(void *ctx) {
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(push != NULL);
    set_int(push, ZMQ_SNDHWM, 3);
    CHECK_OK(zmq_connect(push, "inproc://early-bird"));
    for (int i = 0; i < 3; i++) {
        char body[8];
        int len = snprintf(body, sizeof body, "m%d", i);
        CHECK_OK(zmq_send(push, body, (size_t) len, ZMQ_DONTWAIT));
    }
    CHECK_ERR(zmq_send(push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_OK(zmq_close(push));

    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(pull != NULL);
    set_int(pull, ZMQ_LINGER, 0);
    int timeout = 2000;
    CHECK_OK(zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    CHECK_OK(zmq_bind(pull, "inproc://early-bird"));
    for (int i = 0; i < 3; i++) {
        char body[8], want[8];
        int len = snprintf(want, sizeof want, "m%d", i);
        int got = zmq_recv(pull, body, sizeof body, 0);
        CHECK_EQ_INT(got, len);
        CHECK_MEM(body, got, want, len);
    }
    CHECK_ERR(zmq_recv(pull, NULL, 0, ZMQ_DONTWAIT), EAGAIN);
    CHECK_OK(zmq_close(pull));
    TU_PASS("messages of a connect closed before the bind arrive at the bind");
}

/* SNDHWM 10 + RCVHWM 10: a pipe of 20, whose low-water mark is 10. */
static void credit_returns_at_low_water_mark(void *ctx) {
    void *push, *pull;
    pair(ctx, 10, 10, BIND_FIRST, &push, &pull);
    CHECK_EQ_INT(fill(push, MAX_SENDS), 20);
    for (int i = 0; i < 10; i++)
        CHECK_OK(zmq_recv(pull, NULL, 0, ZMQ_DONTWAIT));
    /* Ten read, ten still queued: the reader has not come back to an empty queue, yet
     * ten more fit (the credit may take a moment to arrive). */
    set_int(push, ZMQ_SNDTIMEO, 2000);
    for (int i = 0; i < 10; i++)
        CHECK_OK(zmq_send(push, NULL, 0, 0));
    CHECK_ERR(zmq_send(push, NULL, 0, ZMQ_DONTWAIT), EAGAIN);
    CHECK_EQ_INT(drain(pull), 20);
    CHECK_OK(zmq_close(push));
    CHECK_OK(zmq_close(pull));
    TU_PASS("credit returns at the low-water mark while the reader reads");
}

/* Waits up to `ms` for `s` to accept a message; sends it then. */
static int send_when_writable(void *s, const void *buf, size_t len, int ms) {
    zmq_pollitem_t item = {s, 0, ZMQ_POLLOUT, 0};
    if (zmq_poll(&item, 1, ms) <= 0)
        return 0;
    CHECK_OK(zmq_send(s, buf, len, ZMQ_DONTWAIT));
    return 1;
}

/* PUSH, SNDHWM 1000, messages of `size` bytes, a tcp peer that never reads. */
static void tcp_sndhwm_with_a_non_reader(void *ctx, size_t size) {
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(push != NULL);
    set_int(push, ZMQ_SNDHWM, 1000);
    set_int(push, ZMQ_LINGER, 0);
    char ep[256];
    tu_bind(push, "tcp", ep, sizeof ep);
    int fd = raw_handshake(ep, "PULL");
    char *payload = calloc(1, size);
    CHECK(payload != NULL);
    /* The first send waits for the connection's pipe; then count until it stays full. */
    CHECK(send_when_writable(push, payload, size, 5000));
    int sent = 1;
    while (sent < MAX_SENDS) {
        if (zmq_send(push, payload, size, ZMQ_DONTWAIT) == (int) size) {
            sent++;
            continue;
        }
        CHECK_EQ_INT(zmq_errno(), EAGAIN);
        /* Credit that the session would return for what the kernel took comes now. */
        if (!send_when_writable(push, payload, size, 500))
            break;
        sent++;
    }
    free(payload);
    printf("test_hwm: tcp: %d messages of %zu bytes accepted with SNDHWM 1000\n", sent, size);
    CHECK_EQ_INT(sent, 1000);
    close(fd);
    CHECK_OK(zmq_close(push));
}

int main(void) {
    tu_init("test_hwm", 80);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    inproc_sums(ctx);
    inproc_option_change(ctx);
    inproc_connect_and_close_before_bind(ctx);
    credit_returns_at_low_water_mark(ctx);
    tcp_sndhwm_with_a_non_reader(ctx, 64 * 1024);
    tcp_sndhwm_with_a_non_reader(ctx, 10 * 1024);
    TU_PASS("tcp: SNDHWM 1000 accepts 1000 messages for a peer that never reads");
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
