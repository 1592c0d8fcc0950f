/*
 * The socket lock of the C ABI (ferromq::SharedSocket) under zmq_poll:
 * - one socket listed several times in one zmq_poll (with different events) is polled
 *   once, and every item gets its own revents (both libraries: libzmq allows it too);
 * ferromq only (#ifdef FERROMQ_ZMQ_H_INCLUDED: libzmq sockets are not thread-safe, so
 * two threads polling one socket is undefined there):
 * - two threads polling {a, b, a} and {b, a, b} (infinite timeout, always ready) 20,000
 *   times each finish: the sockets are locked in one global order, never in argument
 *   order, so the threads cannot each hold one lock and wait for the other;
 * - zmq_poll with a timeout on a socket that another thread is blocked in (zmq_recv
 *   without RCVTIMEO) returns 0 once the timeout passes instead of waiting for the
 *   recv; zmq_close then wakes the recv with ENOTSOCK.
 */
#include "testutil.h"

#include <pthread.h>

static void poll_one_socket_listed_twice(void *ctx) {
    char ep[256];
    void *pull = tu_socket(ctx, ZMQ_PULL);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(pull, "inproc", ep, sizeof ep);
    CHECK_OK(zmq_connect(push, ep));
    zmq_pollitem_t items[4] = {
        {pull, 0, ZMQ_POLLIN, 0},
        {push, 0, ZMQ_POLLOUT, 0},
        {pull, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0},
        {push, 0, ZMQ_POLLIN, 0},
    };
    CHECK_EQ_INT(zmq_poll(items, 4, 0), 1);
    CHECK_EQ_INT(items[0].revents, 0);
    CHECK_EQ_INT(items[1].revents, ZMQ_POLLOUT);
    CHECK_EQ_INT(items[2].revents, 0);
    CHECK_EQ_INT(items[3].revents, 0);

    tu_send_str(push, "x", 0);
    CHECK_EQ_INT(zmq_poll(items, 4, 5000), 3);
    CHECK_EQ_INT(items[0].revents, ZMQ_POLLIN);
    CHECK_EQ_INT(items[1].revents, ZMQ_POLLOUT);
    CHECK_EQ_INT(items[2].revents, ZMQ_POLLIN);
    CHECK_EQ_INT(items[3].revents, 0);
    tu_recv_expect(pull, "x", 0);
    tu_close(push);
    tu_close(pull);
    TU_PASS("one socket listed twice in one zmq_poll");
}

#ifdef FERROMQ_ZMQ_H_INCLUDED
#define ROUNDS 20000

struct poller {
    void *first, *second;
    int failures;
};

static void *poll_in_order(void *arg) {
    struct poller *p = arg;
    for (int i = 0; i < ROUNDS; i++) {
        zmq_pollitem_t items[3] = {
            {p->first, 0, ZMQ_POLLOUT, 0},
            {p->second, 0, ZMQ_POLLOUT, 0},
            {p->first, 0, ZMQ_POLLOUT, 0},
        };
        if (zmq_poll(items, 3, -1) != 3)
            p->failures++;
    }
    return NULL;
}

static void opposite_orders_from_two_threads(void *ctx) {
    char ep[256];
    void *sink = tu_socket(ctx, ZMQ_PULL);
    tu_bind(sink, "inproc", ep, sizeof ep);
    /* Connected PUSH sockets with nothing queued: POLLOUT holds, every poll returns. */
    void *a = tu_socket(ctx, ZMQ_PUSH);
    void *b = tu_socket(ctx, ZMQ_PUSH);
    CHECK_OK(zmq_connect(a, ep));
    CHECK_OK(zmq_connect(b, ep));
    struct poller ab = {a, b, 0}, ba = {b, a, 0};
    pthread_t t1, t2;
    CHECK(pthread_create(&t1, NULL, poll_in_order, &ab) == 0);
    CHECK(pthread_create(&t2, NULL, poll_in_order, &ba) == 0);
    /* A deadlock hangs here: the watchdog (tu_init) fails the test. */
    CHECK(pthread_join(t1, NULL) == 0);
    CHECK(pthread_join(t2, NULL) == 0);
    CHECK_EQ_INT(ab.failures, 0);
    CHECK_EQ_INT(ba.failures, 0);
    tu_close(a);
    tu_close(b);
    tu_close(sink);
    TU_PASS("zmq_poll of {a, b, a} and {b, a, b} from two threads");
}

struct blocked_recv {
    void *socket;
    int rc, err;
};

static void *recv_forever(void *arg) {
    struct blocked_recv *r = arg;
    char buf[8];
    r->rc = zmq_recv(r->socket, buf, sizeof buf, 0);
    r->err = zmq_errno();
    return NULL;
}

static void poll_timeout_while_another_thread_is_in_the_socket(void *ctx) {
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(pull != NULL);
    char ep[256];
    tu_bind(pull, "inproc", ep, sizeof ep);
    struct blocked_recv r = {pull, 0, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, recv_forever, &r) == 0);
    /* Whether or not the recv holds the socket yet, the poll ends by its timeout. */
    for (int round = 0; round < 3; round++) {
        zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
        int64_t t0 = tu_now_ms();
        CHECK_EQ_INT(zmq_poll(&item, 1, 100), 0);
        int64_t took = tu_now_ms() - t0;
        CHECK(took >= 90 && took < 3000);
        CHECK_EQ_INT(item.revents, 0);
    }
    CHECK_OK(zmq_close(pull));
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_EQ_INT(r.rc, -1);
    CHECK_EQ_INT(r.err, ENOTSOCK);
    TU_PASS("zmq_poll's timeout bounds its wait for a socket in use; close wakes the recv");
}
#endif

int main(void) {
    tu_init("test_poll_shared", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    poll_one_socket_listed_twice(ctx);
#ifdef FERROMQ_ZMQ_H_INCLUDED
    opposite_orders_from_two_threads(ctx);
    poll_timeout_while_another_thread_is_in_the_socket(ctx);
#endif
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
