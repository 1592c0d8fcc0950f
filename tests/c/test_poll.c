/*
 * zmq_poll across several sockets and a raw file descriptor (a pipe(2)):
 * - nothing ready: returns 0 after the timeout, revents all 0;
 * - a readable pipe sets POLLIN on the fd item only;
 * - a message on one socket sets POLLIN on that socket only; the return value counts the
 *   items with events;
 * - POLLOUT on a connected PUSH / on a REQ (ready to send) but not on a REQ waiting for
 *   its reply; items with events 0 are ignored;
 * - a blocking poll (timeout -1) wakes up when a message arrives from another thread;
 * - ZMQ_FD + ZMQ_EVENTS: the socket's FD becomes readable and EVENTS reports POLLIN.
 */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>

static void *ctx;
static char late_ep[256];

static void *late_sender(void *arg) {
    (void) arg;
    void *push = tu_socket(ctx, ZMQ_PUSH);
    CHECK_OK(zmq_connect(push, late_ep));
    tu_sleep_ms(200);
    tu_send_str(push, "late", 0);
    tu_close(push);
    return NULL;
}

int main(void) {
    tu_init("test_poll", 60);
    ctx = zmq_ctx_new();
    CHECK(ctx != NULL);

    char ep_a[256], ep_b[256];
    void *a = tu_socket(ctx, ZMQ_PULL);
    void *b = tu_socket(ctx, ZMQ_PULL);
    void *push_a = tu_socket(ctx, ZMQ_PUSH);
    void *push_b = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(a, "tcp", ep_a, sizeof ep_a);
    tu_bind(b, "ipc", ep_b, sizeof ep_b);
    CHECK_OK(zmq_connect(push_a, ep_a));
    CHECK_OK(zmq_connect(push_b, ep_b));
    int fds[2];
    CHECK(pipe(fds) == 0);

    zmq_pollitem_t items[3] = {
        {a, 0, ZMQ_POLLIN, 0},
        {b, 0, ZMQ_POLLIN, 0},
        {NULL, fds[0], ZMQ_POLLIN, 0},
    };

    /* Nothing ready. */
    int64_t t0 = tu_now_ms();
    CHECK_EQ_INT(zmq_poll(items, 3, 100), 0);
    CHECK(tu_now_ms() - t0 >= 90);
    CHECK(items[0].revents == 0 && items[1].revents == 0 && items[2].revents == 0);
    CHECK_EQ_INT(zmq_poll(items, 3, 0), 0);
    TU_PASS("timeout with nothing ready");

    /* The raw fd. */
    CHECK(write(fds[1], "x", 1) == 1);
    CHECK_EQ_INT(zmq_poll(items, 3, 5000), 1);
    CHECK_EQ_INT(items[2].revents, ZMQ_POLLIN);
    CHECK(items[0].revents == 0 && items[1].revents == 0);
    char c;
    CHECK(read(fds[0], &c, 1) == 1);
    CHECK_EQ_INT(zmq_poll(items, 3, 0), 0);
    TU_PASS("pipe fd");

    /* One socket. */
    tu_send_str(push_b, "to b", 0);
    CHECK_EQ_INT(zmq_poll(items, 3, 5000), 1);
    CHECK_EQ_INT(items[1].revents, ZMQ_POLLIN);
    CHECK(items[0].revents == 0 && items[2].revents == 0);
    tu_recv_expect(b, "to b", 0);
    CHECK_EQ_INT(zmq_poll(items, 3, 0), 0);
    TU_PASS("one socket");

    /* All three: poll until every item has reported (the messages travel
     * asynchronously). */
    tu_send_str(push_a, "to a", 0);
    tu_send_str(push_b, "to b again", 0);
    CHECK(write(fds[1], "y", 1) == 1);
    int64_t deadline = tu_now_ms() + 5000;
    int rc;
    for (;;) {
        rc = zmq_poll(items, 3, 100);
        CHECK(rc >= 1);
        if (rc == 3 || tu_now_ms() > deadline)
            break;
    }
    CHECK_EQ_INT(rc, 3);
    CHECK(items[0].revents == ZMQ_POLLIN && items[1].revents == ZMQ_POLLIN &&
          items[2].revents == ZMQ_POLLIN);
    tu_recv_expect(a, "to a", 0);
    tu_recv_expect(b, "to b again", 0);
    CHECK(read(fds[0], &c, 1) == 1);
    TU_PASS("sockets and fd together");

    /* POLLOUT. */
    zmq_pollitem_t out[2] = {{push_a, 0, ZMQ_POLLOUT, 0}, {a, 0, 0, 0}};
    CHECK_EQ_INT(zmq_poll(out, 2, 5000), 1);
    CHECK_EQ_INT(out[0].revents, ZMQ_POLLOUT);
    CHECK_EQ_INT(out[1].revents, 0);
    /* A pipe's write end is writable. */
    zmq_pollitem_t wr = {NULL, fds[1], ZMQ_POLLOUT, 0};
    CHECK_EQ_INT(zmq_poll(&wr, 1, 1000), 1);
    CHECK_EQ_INT(wr.revents, ZMQ_POLLOUT);
    /* REQ: writable before the request, not writable while waiting for the reply. */
    char ep_r[256];
    void *rep = tu_socket(ctx, ZMQ_REP);
    void *req = tu_socket(ctx, ZMQ_REQ);
    tu_bind(rep, "inproc", ep_r, sizeof ep_r);
    CHECK_OK(zmq_connect(req, ep_r));
    zmq_pollitem_t rq = {req, 0, ZMQ_POLLOUT | ZMQ_POLLIN, 0};
    CHECK_EQ_INT(zmq_poll(&rq, 1, 1000), 1);
    CHECK_EQ_INT(rq.revents, ZMQ_POLLOUT);
    tu_send_str(req, "q", 0);
    CHECK_EQ_INT(zmq_poll(&rq, 1, 0), 0);
    tu_recv_expect(rep, "q", 0);
    tu_send_str(rep, "r", 0);
    CHECK_EQ_INT(zmq_poll(&rq, 1, 5000), 1);
    CHECK_EQ_INT(rq.revents, ZMQ_POLLIN);
    tu_recv_expect(req, "r", 0);
    TU_PASS("POLLOUT");

    /* Infinite timeout, woken by a message from another thread. */
    void *late = tu_socket(ctx, ZMQ_PULL);
    tu_bind(late, "tcp", late_ep, sizeof late_ep);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, late_sender, NULL) == 0);
    zmq_pollitem_t li = {late, 0, ZMQ_POLLIN, 0};
    CHECK_EQ_INT(zmq_poll(&li, 1, -1), 1);
    CHECK_EQ_INT(li.revents, ZMQ_POLLIN);
    tu_recv_expect(late, "late", 0);
    pthread_join(th, NULL);
    TU_PASS("blocking poll woken from another thread");

    /* ZMQ_FD is a pollable fd that signals a state change; ZMQ_EVENTS tells what. */
    int zfd = -1;
    size_t len = sizeof zfd;
    CHECK_OK(zmq_getsockopt(a, ZMQ_FD, &zfd, &len));
    CHECK(zfd >= 0);
    CHECK_EQ_INT(tu_get_int(a, ZMQ_EVENTS) & ZMQ_POLLIN, 0);
    tu_send_str(push_a, "edge", 0);
    deadline = tu_now_ms() + 5000;
    while (!(tu_get_int(a, ZMQ_EVENTS) & ZMQ_POLLIN)) {
        struct pollfd p = {zfd, POLLIN, 0};
        CHECK(poll(&p, 1, 100) >= 0);
        CHECK(tu_now_ms() < deadline);
    }
    tu_recv_expect(a, "edge", 0);
    CHECK_EQ_INT(tu_get_int(a, ZMQ_EVENTS) & ZMQ_POLLIN, 0);
    TU_PASS("ZMQ_FD and ZMQ_EVENTS");

    /* zmq_poll with no items just waits. */
    t0 = tu_now_ms();
    CHECK_EQ_INT(zmq_poll(NULL, 0, 50), 0);
    CHECK(tu_now_ms() - t0 >= 40);

    close(fds[0]);
    close(fds[1]);
    tu_close(late);
    tu_close(req);
    tu_close(rep);
    tu_close(push_a);
    tu_close(push_b);
    tu_close(a);
    tu_close(b);
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
