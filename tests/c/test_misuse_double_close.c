/*
 * C ABI misuse (issue 11): closing, terminating and destroying things twice. The second
 * call must fail cleanly (zmq_close ENOTSOCK, zmq_ctx_term/zmq_ctx_destroy/zmq_term
 * EFAULT, zmq_msg_close EFAULT, zmq_timers_destroy of the NULLed pointer EFAULT), with no
 * use of freed memory (this runs under ASan in CI), and unrelated objects keep working.
 *
 * RUN-AGAINST: ferromq (libzmq frees a closed socket and a terminated context; calling
 * again is a use after free there.)
 */
#include "testutil.h"

int main(void) {
    tu_init("test_misuse_double_close", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);

    void *s = tu_socket(ctx, ZMQ_PUSH);
    CHECK_OK(zmq_close(s));
    CHECK_ERR(zmq_close(s), ENOTSOCK);
    CHECK_ERR(zmq_close(s), ENOTSOCK);
    TU_PASS("zmq_close twice: ENOTSOCK");

    /* Many close/close pairs, so a recycled handle would show up as a wrong success. */
    for (int i = 0; i < 1000; i++) {
        void *t = tu_socket(ctx, i % 2 ? ZMQ_PULL : ZMQ_PUB);
        CHECK_OK(zmq_close(t));
        CHECK_ERR(zmq_close(t), ENOTSOCK);
    }
    CHECK_ERR(zmq_close(s), ENOTSOCK);
    TU_PASS("1000 sockets closed twice each");

    zmq_msg_t msg;
    CHECK_OK(zmq_msg_init_size(&msg, 100));
    CHECK_OK(zmq_msg_close(&msg));
    CHECK_ERR(zmq_msg_close(&msg), EFAULT);
    CHECK_OK(zmq_msg_init(&msg));
    CHECK_OK(zmq_msg_close(&msg));
    CHECK_ERR(zmq_msg_close(&msg), EFAULT);
    TU_PASS("zmq_msg_close twice: EFAULT");

    void *timers = zmq_timers_new();
    CHECK(timers != NULL);
    CHECK_OK(zmq_timers_destroy(&timers));
    CHECK(timers == NULL);
    CHECK_ERR(zmq_timers_destroy(&timers), EFAULT);
    TU_PASS("zmq_timers_destroy twice: EFAULT");

    /* A socket left open when the context is shut down, closed twice afterwards. */
    void *late = tu_socket(ctx, ZMQ_SUB);
    CHECK_OK(zmq_ctx_shutdown(ctx));
    CHECK_OK(zmq_ctx_shutdown(ctx)); /* twice is allowed, as in libzmq */
    CHECK_OK(zmq_close(late));
    CHECK_ERR(zmq_close(late), ENOTSOCK);
    CHECK_OK(zmq_ctx_term(ctx));
    CHECK_ERR(zmq_ctx_term(ctx), EFAULT);
    CHECK_ERR(zmq_ctx_destroy(ctx), EFAULT);
    CHECK_ERR(zmq_term(ctx), EFAULT);
    CHECK_ERR(zmq_ctx_shutdown(ctx), EFAULT);
    TU_PASS("zmq_ctx_term twice (and destroy/term/shutdown after it): EFAULT");

    /* Everything still works with a fresh context. */
    void *ctx2 = zmq_ctx_new();
    CHECK(ctx2 != NULL);
    void *a = tu_socket(ctx2, ZMQ_PAIR);
    void *b = tu_socket(ctx2, ZMQ_PAIR);
    CHECK_OK(zmq_bind(a, "inproc://misuse-double"));
    CHECK_OK(zmq_connect(b, "inproc://misuse-double"));
    tu_send_str(a, "still", 0);
    tu_recv_expect(b, "still", 0);
    tu_close(a);
    tu_close(b);
    CHECK_OK(zmq_ctx_term(ctx2));
    TU_PASS("a new context works");
    return 0;
}
