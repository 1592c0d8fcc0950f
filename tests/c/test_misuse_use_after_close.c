/*
 * C ABI misuse (issue 11): every socket function on a closed socket fails with ENOTSOCK
 * (zmq_poll and zmq_proxy too), every context function on a terminated context fails
 * with EFAULT, a message is unusable after zmq_msg_close (EFAULT), and none of it reads
 * freed memory (this runs under ASan in CI). A stale socket pointer keeps failing while
 * new sockets are made (it is not handed to the next socket at once).
 *
 * RUN-AGAINST: ferromq (libzmq frees closed sockets and terminated contexts; using them
 * is a use after free there.)
 */
#include "testutil.h"

#include <sys/uio.h>

static void socket_calls_fail(void *closed) {
    char buf[16] = {0};
    size_t len = sizeof buf;
    int value = 1;
    zmq_msg_t msg;
    CHECK_OK(zmq_msg_init_size(&msg, 3));
    CHECK_ERR(zmq_bind(closed, "inproc://misuse-after"), ENOTSOCK);
    CHECK_ERR(zmq_connect(closed, "inproc://misuse-after"), ENOTSOCK);
    CHECK_ERR(zmq_unbind(closed, "inproc://misuse-after"), ENOTSOCK);
    CHECK_ERR(zmq_disconnect(closed, "inproc://misuse-after"), ENOTSOCK);
    CHECK_ERR(zmq_send(closed, "abc", 3, 0), ENOTSOCK);
    CHECK_ERR(zmq_send_const(closed, "abc", 3, 0), ENOTSOCK);
    CHECK_ERR(zmq_recv(closed, buf, sizeof buf, 0), ENOTSOCK);
    CHECK_ERR(zmq_msg_send(&msg, closed, 0), ENOTSOCK);
    CHECK_ERR(zmq_msg_recv(&msg, closed, 0), ENOTSOCK);
    CHECK_ERR(zmq_sendmsg(closed, &msg, 0), ENOTSOCK);
    CHECK_ERR(zmq_recvmsg(closed, &msg, 0), ENOTSOCK);
    struct iovec iov = {buf, sizeof buf};
    size_t count = 1;
    CHECK_ERR(zmq_sendiov(closed, &iov, 1, 0), ENOTSOCK);
    CHECK_ERR(zmq_recviov(closed, &iov, &count, 0), ENOTSOCK);
    CHECK_ERR(zmq_setsockopt(closed, ZMQ_LINGER, &value, sizeof value), ENOTSOCK);
    CHECK_ERR(zmq_getsockopt(closed, ZMQ_TYPE, buf, &len), ENOTSOCK);
    CHECK_ERR(zmq_socket_monitor(closed, "inproc://misuse-mon", ZMQ_EVENT_ALL), ENOTSOCK);
    zmq_pollitem_t item = {closed, 0, ZMQ_POLLIN, 0};
    CHECK_ERR(zmq_poll(&item, 1, 0), ENOTSOCK);
    CHECK_ERR(zmq_poll(&item, 1, -1), ENOTSOCK);
    CHECK_OK(zmq_msg_close(&msg));
}

int main(void) {
    tu_init("test_misuse_use_after_close", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);

    char ep[256];
    void *pull = tu_socket(ctx, ZMQ_PULL);
    tu_bind(pull, "tcp", ep, sizeof ep);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    CHECK_OK(zmq_connect(push, ep));
    tu_send_str(push, "before", 0);
    tu_recv_expect(pull, "before", 0);
    tu_send_str(push, "queued", 0); /* left unread when pull closes */
    CHECK_OK(zmq_close(pull));
    socket_calls_fail(pull);
    TU_PASS("every socket function on a closed socket: ENOTSOCK");

    /* New sockets do not take over the stale pointer. */
    void *fresh[64];
    for (int i = 0; i < 64; i++)
        fresh[i] = tu_socket(ctx, ZMQ_PAIR);
    for (int i = 0; i < 64; i++)
        CHECK(fresh[i] != pull);
    socket_calls_fail(pull);
    for (int i = 0; i < 64; i++)
        tu_close(fresh[i]);
    TU_PASS("still ENOTSOCK after 64 new sockets");

    void *a = tu_socket(ctx, ZMQ_PAIR);
    void *b = tu_socket(ctx, ZMQ_PAIR);
    CHECK_ERR(zmq_proxy(pull, a, NULL), ENOTSOCK);
    CHECK_ERR(zmq_proxy(a, b, pull), ENOTSOCK);
    zmq_pollitem_t items[2] = {{a, 0, ZMQ_POLLIN, 0}, {pull, 0, ZMQ_POLLIN, 0}};
    CHECK_ERR(zmq_poll(items, 2, 10), ENOTSOCK);
    TU_PASS("zmq_proxy and zmq_poll with a closed socket among live ones: ENOTSOCK");

    zmq_msg_t msg;
    CHECK_OK(zmq_msg_init_size(&msg, 10));
    CHECK_OK(zmq_msg_close(&msg));
    CHECK_ERR(zmq_msg_send(&msg, a, ZMQ_DONTWAIT), EFAULT);
    /* libzmq reads the flags of whatever is there (no error): only not crashing counts. */
    (void) zmq_msg_more(&msg);
    (void) zmq_msg_get(&msg, ZMQ_MORE);
    (void) zmq_msg_size(&msg);
    zmq_msg_t copy;
    CHECK_OK(zmq_msg_init(&copy));
    CHECK_ERR(zmq_msg_copy(&copy, &msg), EFAULT);
    CHECK_ERR(zmq_msg_move(&copy, &msg), EFAULT);
    CHECK_OK(zmq_msg_close(&copy));
    TU_PASS("a closed message: EFAULT");

    tu_close(a);
    tu_close(b);
    tu_close(push);
    CHECK_OK(zmq_ctx_term(ctx));
    CHECK_NULL_ERR(zmq_socket(ctx, ZMQ_PAIR), EFAULT);
    CHECK_ERR(zmq_ctx_set(ctx, ZMQ_IO_THREADS, 2), EFAULT);
    CHECK_ERR(zmq_ctx_get(ctx, ZMQ_IO_THREADS), EFAULT);
    CHECK_ERR(zmq_ctx_shutdown(ctx), EFAULT);
    socket_calls_fail(push); /* closed before its context went */
    TU_PASS("a terminated context: EFAULT");
    return 0;
}
