/*
 * errno values for misuse, as libzmq reports them (-1 + zmq_errno()):
 * EFSM (REQ recv before send, REQ send twice, REP send before recv), EAGAIN (ZMQ_DONTWAIT,
 * RCVTIMEO, SNDTIMEO on a PUSH without peers), EINVAL (bad socket type, malformed
 * endpoints, zmq_ctx_set), EPROTONOSUPPORT (unknown transport), ENOTSOCK (NULL socket for
 * every socket call), EFAULT (NULL context), EADDRINUSE, ENOENT (unbind/disconnect of an
 * unknown endpoint), ENOTSUP (recv on PUB); ETERM after zmq_ctx_shutdown and for a recv
 * blocked in another thread during zmq_ctx_term; zmq_recv truncation returns the full size.
 */
#include "testutil.h"

#include <pthread.h>

static void efsm(void *ctx) {
    char ep[256];
    void *rep = tu_socket(ctx, ZMQ_REP);
    void *req = tu_socket(ctx, ZMQ_REQ);
    tu_bind(rep, "inproc", ep, sizeof ep);
    CHECK_OK(zmq_connect(req, ep));
    char buf[16];
    CHECK_ERR(zmq_recv(req, buf, sizeof buf, 0), EFSM);
    CHECK_ERR(zmq_send(rep, "x", 1, 0), EFSM);
    tu_send_str(req, "q", 0);
    CHECK_ERR(zmq_send(req, "again", 5, 0), EFSM);
    tu_recv_expect(rep, "q", 0);
    CHECK_ERR(zmq_recv(rep, buf, sizeof buf, ZMQ_DONTWAIT), EFSM);
    tu_send_str(rep, "r", 0);
    tu_recv_expect(req, "r", 0);
    CHECK_ERR(zmq_recv(req, buf, sizeof buf, 0), EFSM);
    CHECK_EQ_INT(EFSM, 156384763);
    CHECK_EQ_INT(ETERM, 156384765);
    CHECK_EQ_INT(EMTHREAD, 156384766);
    CHECK_EQ_INT(ENOCOMPATPROTO, 156384764);
    tu_close(req);
    tu_close(rep);
}

static void eagain(void *ctx) {
    char ep[256];
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(pull != NULL);
    tu_bind(pull, "tcp", ep, sizeof ep);
    char buf[16];
    CHECK_ERR(zmq_recv(pull, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init(&m));
    CHECK_ERR(zmq_msg_recv(&m, pull, ZMQ_DONTWAIT), EAGAIN);
    CHECK_OK(zmq_msg_close(&m));
    tu_set_int(pull, ZMQ_RCVTIMEO, 100);
    int64_t t0 = tu_now_ms();
    CHECK_ERR(zmq_recv(pull, buf, sizeof buf, 0), EAGAIN);
    CHECK(tu_now_ms() - t0 >= 90);
    tu_set_int(pull, ZMQ_RCVTIMEO, 0);
    CHECK_ERR(zmq_recv(pull, buf, sizeof buf, 0), EAGAIN);

    void *push = zmq_socket(ctx, ZMQ_PUSH); /* no peer */
    CHECK(push != NULL);
    CHECK_ERR(zmq_send(push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    tu_set_int(push, ZMQ_SNDTIMEO, 100);
    t0 = tu_now_ms();
    CHECK_ERR(zmq_send(push, "x", 1, 0), EAGAIN);
    CHECK(tu_now_ms() - t0 >= 90);
    tu_close(push);
    tu_close(pull);
}

static void einval_and_friends(void *ctx) {
    CHECK_NULL_ERR(zmq_socket(ctx, 9999), EINVAL);
    CHECK_NULL_ERR(zmq_socket(ctx, -1), EINVAL);
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CHECK(s != NULL);
    CHECK_ERR(zmq_bind(s, "tcp://"), EINVAL);
    CHECK_ERR(zmq_bind(s, "tcp://127.0.0.1"), EINVAL); /* no port */
    CHECK_ERR(zmq_bind(s, "nonsense"), EINVAL);          /* no :// */
    CHECK_ERR(zmq_connect(s, "tcp://127.0.0.1"), EINVAL);
    CHECK_ERR(zmq_connect(s, "tcp://127.0.0.1:notaport"), EINVAL);
    CHECK_ERR(zmq_bind(s, "foo://bar"), EPROTONOSUPPORT);
    CHECK_ERR(zmq_connect(s, "foo://bar"), EPROTONOSUPPORT);
    CHECK_ERR(zmq_bind(s, "udp://127.0.0.1:5555"), ENOCOMPATPROTO); /* UDP is for RADIO/DISH */
    CHECK_ERR(zmq_unbind(s, "tcp://127.0.0.1:1"), ENOENT);
    CHECK_ERR(zmq_disconnect(s, "tcp://127.0.0.1:1"), ENOENT);

    /* EADDRINUSE: the same tcp port or inproc name twice. */
    char ep[256];
    tu_bind(s, "tcp", ep, sizeof ep);
    void *s2 = zmq_socket(ctx, ZMQ_PAIR);
    CHECK(s2 != NULL);
    CHECK_ERR(zmq_bind(s2, ep), EADDRINUSE);
    CHECK_OK(zmq_bind(s, "inproc://taken"));
    CHECK_ERR(zmq_bind(s2, "inproc://taken"), EADDRINUSE);
    /* After unbind the name is free again. */
    CHECK_OK(zmq_unbind(s, "inproc://taken"));
    CHECK_OK(zmq_bind(s2, "inproc://taken"));

    /* ENOTSUP: receiving on PUB, sending on PULL. */
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    char buf[8];
    CHECK_ERR(zmq_recv(pub, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERR(zmq_send(pull, "x", 1, ZMQ_DONTWAIT), ENOTSUP);

    /* Context options. */
    CHECK_ERR(zmq_ctx_set(ctx, 9999, 1), EINVAL);
    CHECK_ERR(zmq_ctx_get(ctx, 9999), EINVAL);
    CHECK_ERR(zmq_ctx_set(ctx, ZMQ_IO_THREADS, -1), EINVAL);

    tu_close(pull);
    tu_close(pub);
    tu_close(s2);
    tu_close(s);
}

static void enotsock(void) {
    char buf[8];
    size_t len = sizeof buf;
    int v = 1;
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init(&m));
    CHECK_ERR(zmq_close(NULL), ENOTSOCK);
    CHECK_ERR(zmq_bind(NULL, "inproc://x"), ENOTSOCK);
    CHECK_ERR(zmq_connect(NULL, "inproc://x"), ENOTSOCK);
    CHECK_ERR(zmq_unbind(NULL, "inproc://x"), ENOTSOCK);
    CHECK_ERR(zmq_disconnect(NULL, "inproc://x"), ENOTSOCK);
    CHECK_ERR(zmq_send(NULL, "x", 1, 0), ENOTSOCK);
    CHECK_ERR(zmq_send_const(NULL, "x", 1, 0), ENOTSOCK);
    CHECK_ERR(zmq_recv(NULL, buf, sizeof buf, 0), ENOTSOCK);
    CHECK_ERR(zmq_msg_send(&m, NULL, 0), ENOTSOCK);
    CHECK_ERR(zmq_msg_recv(&m, NULL, 0), ENOTSOCK);
    CHECK_ERR(zmq_setsockopt(NULL, ZMQ_LINGER, &v, sizeof v), ENOTSOCK);
    CHECK_ERR(zmq_getsockopt(NULL, ZMQ_LINGER, buf, &len), ENOTSOCK);
    CHECK_ERR(zmq_socket_monitor(NULL, "inproc://mon", ZMQ_EVENT_ALL), ENOTSOCK);
    CHECK_OK(zmq_msg_close(&m));
    /* Not a socket at all (a context is not a socket either). */
    void *ctx = zmq_ctx_new();
    CHECK_ERR(zmq_send(ctx, "x", 1, 0), ENOTSOCK);
    CHECK_ERR(zmq_close(ctx), ENOTSOCK);
    CHECK_OK(zmq_ctx_term(ctx));
    /* A NULL context. */
    CHECK_NULL_ERR(zmq_socket(NULL, ZMQ_PAIR), EFAULT);
    CHECK_ERR(zmq_ctx_term(NULL), EFAULT);
    CHECK_ERR(zmq_ctx_shutdown(NULL), EFAULT);
    CHECK_ERR(zmq_ctx_set(NULL, ZMQ_IO_THREADS, 1), EFAULT);
    CHECK_ERR(zmq_ctx_get(NULL, ZMQ_IO_THREADS), EFAULT);
}

static void truncation(void *ctx) {
    char ep[256];
    void *pull = tu_socket(ctx, ZMQ_PULL);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(pull, "tcp", ep, sizeof ep);
    CHECK_OK(zmq_connect(push, ep));
    tu_send_str(push, "0123456789", 0);
    char buf[4] = {0};
    CHECK_EQ_INT(zmq_recv(pull, buf, sizeof buf, 0), 10);
    CHECK_MEM(buf, 4, "0123", 4);
    /* A zero-length buffer works too. */
    tu_send_str(push, "abc", 0);
    CHECK_EQ_INT(zmq_recv(pull, NULL, 0, 0), 3);
    /* Truncating one frame keeps the next one. */
    tu_send_str(push, "long frame", ZMQ_SNDMORE);
    tu_send_str(push, "next", 0);
    CHECK_EQ_INT(zmq_recv(pull, buf, 2, 0), 10);
    CHECK_EQ_INT(tu_get_int(pull, ZMQ_RCVMORE), 1);
    tu_recv_expect(pull, "next", 0);
    tu_close(push);
    tu_close(pull);
}

static void eterm_after_shutdown(void) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    void *s = zmq_socket(ctx, ZMQ_PULL);
    CHECK(s != NULL);
    CHECK_OK(zmq_bind(s, "inproc://eterm"));
    CHECK_OK(zmq_ctx_shutdown(ctx));
    char buf[8];
    CHECK_ERR(zmq_recv(s, buf, sizeof buf, 0), ETERM);
    CHECK_ERR(zmq_recv(s, buf, sizeof buf, ZMQ_DONTWAIT), ETERM);
    CHECK_NULL_ERR(zmq_socket(ctx, ZMQ_PUSH), ETERM);
    CHECK_OK(zmq_close(s));
    CHECK_OK(zmq_ctx_term(ctx));
}

struct blocked {
    void *ctx;
    int rc;
    int err;
    volatile int started;
};

static void *blocked_recv(void *arg) {
    struct blocked *b = arg;
    void *s = zmq_socket(b->ctx, ZMQ_PULL); /* no RCVTIMEO: blocks until the context ends */
    CHECK(s != NULL);
    CHECK_OK(zmq_bind(s, "inproc://blocked"));
    b->started = 1;
    char buf[8];
    b->rc = zmq_recv(s, buf, sizeof buf, 0);
    b->err = zmq_errno();
    /* Closing lets zmq_ctx_term in the main thread return. */
    zmq_close(s);
    return NULL;
}

static void eterm_blocked_recv(void) {
    struct blocked b = {zmq_ctx_new(), 0, 0, 0};
    CHECK(b.ctx != NULL);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, blocked_recv, &b) == 0);
    while (!b.started)
        tu_sleep_ms(1);
    tu_sleep_ms(50); /* most likely inside zmq_recv now; ETERM either way */
    CHECK_OK(zmq_ctx_term(b.ctx)); /* returns once the thread has closed its socket */
    pthread_join(th, NULL);
    CHECK_EQ_INT(b.rc, -1);
    CHECK_EQ_INT(b.err, ETERM);
}

int main(void) {
    tu_init("test_errors", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    efsm(ctx);
    TU_PASS("EFSM");
    eagain(ctx);
    TU_PASS("EAGAIN");
    einval_and_friends(ctx);
    TU_PASS("EINVAL/EPROTONOSUPPORT/EADDRINUSE/ENOENT/ENOTSUP");
    enotsock();
    TU_PASS("ENOTSOCK/EFAULT");
    truncation(ctx);
    TU_PASS("zmq_recv truncation");
    CHECK_OK(zmq_ctx_term(ctx));
    eterm_after_shutdown();
    TU_PASS("ETERM after zmq_ctx_shutdown");
    eterm_blocked_recv();
    TU_PASS("ETERM for a recv blocked during zmq_ctx_term");
    return 0;
}
