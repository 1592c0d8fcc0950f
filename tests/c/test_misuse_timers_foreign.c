/*
 * C ABI misuse (issue 11): every zmq_timers_* function given a handle that is not a live
 * timers handle (a context, a socket, a zeroed buffer of the application's) must fail with
 * -1 and EFAULT, as libzmq does (it checks a tag), and leave that object working; and the
 * real timers keep working afterwards.
 */
#include "testutil.h"

static uint64_t junk[512];
static int fired;

static void on_timer(int id, void *arg) {
    (void) id;
    (void) arg;
    fired++;
}

static void timers_calls_fail(void *bad) {
    CHECK_ERR(zmq_timers_add(bad, 10, on_timer, NULL), EFAULT);
    CHECK_ERR(zmq_timers_cancel(bad, 1), EFAULT);
    CHECK_ERR(zmq_timers_set_interval(bad, 1, 10), EFAULT);
    CHECK_ERR(zmq_timers_reset(bad, 1), EFAULT);
    CHECK_ERR(zmq_timers_timeout(bad), EFAULT);
    CHECK_ERR(zmq_timers_execute(bad), EFAULT);
    void *copy = bad;
    CHECK_ERR(zmq_timers_destroy(&copy), EFAULT);
}

int main(void) {
    tu_init("test_misuse_timers_foreign", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    void *a = tu_socket(ctx, ZMQ_PAIR);
    void *b = tu_socket(ctx, ZMQ_PAIR);
    CHECK_OK(zmq_bind(a, "inproc://misuse-timers"));
    CHECK_OK(zmq_connect(b, "inproc://misuse-timers"));
    void *timers = zmq_timers_new();
    CHECK(timers != NULL);
    int id = zmq_timers_add(timers, 1, on_timer, NULL);
    CHECK(id != -1);

    timers_calls_fail(junk);
    TU_PASS("zmq_timers_* given application memory: EFAULT");
    timers_calls_fail(ctx);
    TU_PASS("zmq_timers_* given a context: EFAULT");
    timers_calls_fail(a);
    TU_PASS("zmq_timers_* given a socket: EFAULT");

    char buf[8];
    CHECK_OK(zmq_send(a, "ok", 2, 0));
    CHECK_EQ_INT(zmq_recv(b, buf, sizeof buf, 0), 2);
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 1);
    int64_t deadline = tu_now_ms() + 5000;
    while (fired == 0 && tu_now_ms() < deadline) {
        long t = zmq_timers_timeout(timers);
        CHECK(t >= 0);
        tu_sleep_ms((int) t);
        CHECK_OK(zmq_timers_execute(timers));
    }
    CHECK(fired > 0);
    TU_PASS("the context, sockets and timers still work");

    CHECK_OK(zmq_timers_destroy(&timers));
    CHECK(timers == NULL);
    tu_close(a);
    tu_close(b);
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
