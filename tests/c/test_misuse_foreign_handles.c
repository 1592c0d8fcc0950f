/*
 * C ABI misuse (issue 11): a handle of the wrong kind given to every context and socket
 * function. Each must fail with libzmq's errno, never crash, and leave the real objects
 * working: context functions EFAULT, socket functions ENOTSOCK (zmq_poll and zmq_proxy
 * too). The foreign handles: a socket, a context, a zmq_timers_new handle, and a zeroed
 * buffer of the application's (zeroed, so that libzmq's tag check reads zeros inside it).
 * The zmq_timers_* functions given foreign handles are in test_misuse_timers_foreign.c.
 */
#include "testutil.h"

#include <sys/uio.h>

/* Big enough that reading a tag anywhere inside a libzmq object's layout stays inside it. */
static uint64_t junk[512];

static void socket_calls_fail(void *bad) {
    char buf[16] = {0};
    size_t len = sizeof buf;
    int value = 1;
    zmq_msg_t msg;
    CHECK_OK(zmq_msg_init_size(&msg, 3));
    CHECK_ERR(zmq_bind(bad, "inproc://misuse-foreign"), ENOTSOCK);
    CHECK_ERR(zmq_connect(bad, "inproc://misuse-foreign"), ENOTSOCK);
    CHECK_ERR(zmq_unbind(bad, "inproc://misuse-foreign"), ENOTSOCK);
    CHECK_ERR(zmq_disconnect(bad, "inproc://misuse-foreign"), ENOTSOCK);
    CHECK_ERR(zmq_send(bad, "abc", 3, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_send_const(bad, "abc", 3, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_recv(bad, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_msg_send(&msg, bad, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_msg_recv(&msg, bad, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_sendmsg(bad, &msg, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_recvmsg(bad, &msg, ZMQ_DONTWAIT), ENOTSOCK);
    struct iovec iov = {buf, sizeof buf};
    size_t count = 1;
    CHECK_ERR(zmq_sendiov(bad, &iov, 1, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_recviov(bad, &iov, &count, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_ERR(zmq_setsockopt(bad, ZMQ_LINGER, &value, sizeof value), ENOTSOCK);
    CHECK_ERR(zmq_getsockopt(bad, ZMQ_TYPE, buf, &len), ENOTSOCK);
    CHECK_ERR(zmq_socket_monitor(bad, "inproc://misuse-monitor", ZMQ_EVENT_ALL), ENOTSOCK);
    zmq_pollitem_t item = {bad, 0, ZMQ_POLLIN, 0};
    CHECK_ERR(zmq_poll(&item, 1, 0), ENOTSOCK);
    CHECK_ERR(zmq_close(bad), ENOTSOCK);
    CHECK_OK(zmq_msg_close(&msg));
}

static void context_calls_fail(void *bad) {
    CHECK_NULL_ERR(zmq_socket(bad, ZMQ_PAIR), EFAULT);
    CHECK_ERR(zmq_ctx_set(bad, ZMQ_IO_THREADS, 2), EFAULT);
    CHECK_ERR(zmq_ctx_get(bad, ZMQ_IO_THREADS), EFAULT);
    CHECK_ERR(zmq_ctx_shutdown(bad), EFAULT);
    CHECK_ERR(zmq_ctx_term(bad), EFAULT);
    CHECK_ERR(zmq_ctx_destroy(bad), EFAULT);
    CHECK_ERR(zmq_term(bad), EFAULT);
}

/* The real objects still work after all of the above. */
static void still_works(void *ctx, void *a, void *b) {
    char buf[8];
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 1);
    CHECK_OK(zmq_send(a, "ok", 2, 0));
    CHECK_EQ_INT(zmq_recv(b, buf, sizeof buf, 0), 2);
    CHECK_MEM(buf, 2, "ok", 2);
}

int main(void) {
    tu_init("test_misuse_foreign_handles", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    void *a = tu_socket(ctx, ZMQ_PAIR);
    void *b = tu_socket(ctx, ZMQ_PAIR);
    CHECK_OK(zmq_bind(a, "inproc://misuse-pair"));
    CHECK_OK(zmq_connect(b, "inproc://misuse-pair"));
    void *timers = zmq_timers_new();
    CHECK(timers != NULL);

    socket_calls_fail(ctx);
    socket_calls_fail(timers);
    socket_calls_fail(junk);
    TU_PASS("socket functions given a context, timers, application memory: ENOTSOCK");
    context_calls_fail(a);
    context_calls_fail(timers);
    context_calls_fail(junk);
    TU_PASS("context functions given a socket, timers, application memory: EFAULT");
    still_works(ctx, a, b);
    TU_PASS("the context and sockets still work");

#ifdef FERROMQ_ZMQ_H_INCLUDED
    /* libzmq's zmq_proxy dereferences its sockets unchecked: ferromq only. */
    CHECK_ERR(zmq_proxy(ctx, b, NULL), ENOTSOCK);
    CHECK_ERR(zmq_proxy(a, timers, NULL), ENOTSOCK);
    CHECK_ERR(zmq_proxy(a, b, junk), ENOTSOCK);
    CHECK_ERR(zmq_proxy_steerable(a, b, NULL, ctx), ENOTSOCK);
    still_works(ctx, b, a);
    TU_PASS("zmq_proxy given foreign handles: ENOTSOCK (ferromq)");
#endif

    CHECK_OK(zmq_timers_destroy(&timers));
    tu_close(a);
    tu_close(b);
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
