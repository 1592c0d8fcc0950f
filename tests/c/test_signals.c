/*
 * test_signals.c: a signal handler that runs while a call blocks makes the call fail with
 * EINTR, as in libzmq (whose waits are poll(2) calls, never restarted): zmq_recv, zmq_send,
 * zmq_msg_recv and zmq_msg_send, without and with a timeout, and zmq_ctx_term waiting for
 * an open socket (it can be called again); the handler is installed with
 * signal(3), so with SA_RESTART, as most programs do. The signal is sent to the process,
 * not to a thread: the library's own threads must block it, as libzmq's do, so the blocked
 * application thread is the one to handle it. The socket still works afterwards.
 * Threads started with zmq_threadstart have every signal blocked, as libzmq's.
 */
#include "testutil.h"

#include <pthread.h>

static volatile sig_atomic_t handled = 0;
static volatile int stop_sender = 0;

static void on_usr1(int sig) {
    (void) sig;
    handled++;
}

/* Sends SIGUSR1 to the process every 20 ms until told to stop: the main thread may not be
 * blocked yet when one arrives (it then just counts it), a later one finds it blocked. */
static void *sender(void *arg) {
    (void) arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    while (!__atomic_load_n(&stop_sender, __ATOMIC_SEQ_CST)) {
        kill(getpid(), SIGUSR1);
        tu_sleep_ms(20);
    }
    return NULL;
}

typedef int (*blocking_call)(void *s);

static int call_recv(void *s) {
    char buf[8];
    return zmq_recv(s, buf, sizeof buf, 0);
}

static int call_send(void *s) { return zmq_send(s, "x", 1, 0); }

static int call_msg_recv(void *s) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    int rc = zmq_msg_recv(&m, s, 0);
    int e = zmq_errno();
    zmq_msg_close(&m);
    errno = e;
    return rc;
}

static int call_msg_send(void *s) {
    zmq_msg_t m;
    zmq_msg_init_size(&m, 1);
    int rc = zmq_msg_send(&m, s, 0);
    int e = zmq_errno();
    zmq_msg_close(&m);
    errno = e;
    return rc;
}

/* Blocks in `call` on a fresh socket of `type` that has no peer, with a signal sender
 * running: the call must return -1 with EINTR after the handler ran. */
static void interrupted(void *ctx, int type, int timeout_opt, blocking_call call,
                        const char *what) {
    void *s = zmq_socket(ctx, type);
    CHECK(s != NULL);
    char ep[256];
    tu_bind(s, "tcp", ep, sizeof ep);
    if (timeout_opt) {
        int ms = 20000; /* far longer than the signal takes to come */
        CHECK_OK(zmq_setsockopt(s, timeout_opt, &ms, sizeof ms));
    }
    handled = 0;
    __atomic_store_n(&stop_sender, 0, __ATOMIC_SEQ_CST);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
    int64_t start = tu_now_ms();
    errno = 0;
    int rc = call(s);
    int e = zmq_errno();
    __atomic_store_n(&stop_sender, 1, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    if (rc != -1 || e != EINTR)
        TU_FAIL("%s: expected -1 with EINTR, got %d with errno %d (%s)", what, rc, e,
                zmq_strerror(e));
    CHECK(handled > 0);
    CHECK(tu_now_ms() - start < 10000);
    /* Still usable: a non-blocking call reports EAGAIN as usual. */
    char buf[4];
    if (type == ZMQ_PULL)
        CHECK_ERR(zmq_recv(s, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    else
        CHECK_ERR(zmq_send(s, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    CHECK_OK(zmq_close(s));
    TU_PASS(what);
}

/* zmq_ctx_term waiting for a socket that is still open: EINTR, and it can be called
 * again once the socket is closed. */
static void ctx_term_interrupted(void) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    void *s = zmq_socket(ctx, ZMQ_PULL);
    CHECK(s != NULL);
    handled = 0;
    __atomic_store_n(&stop_sender, 0, __ATOMIC_SEQ_CST);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
    errno = 0;
    int rc = zmq_ctx_term(ctx);
    int e = zmq_errno();
    __atomic_store_n(&stop_sender, 1, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    if (rc != -1 || e != EINTR)
        TU_FAIL("zmq_ctx_term: expected -1 with EINTR, got %d with errno %d (%s)", rc, e,
                zmq_strerror(e));
    CHECK(handled > 0);
    CHECK_OK(zmq_close(s)); /* a PULL: nothing to linger for */
    CHECK_OK(zmq_ctx_term(ctx));
    TU_PASS("zmq_ctx_term");
}

static volatile int usr1_blocked = -1;

static void check_mask(void *arg) {
    (void) arg;
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    usr1_blocked = sigismember(&mask, SIGUSR1) && sigismember(&mask, SIGINT);
}

int main(void) {
    tu_init("test_signals", 60);
    CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    interrupted(ctx, ZMQ_PULL, 0, call_recv, "zmq_recv");
    interrupted(ctx, ZMQ_PULL, ZMQ_RCVTIMEO, call_recv, "zmq_recv with RCVTIMEO");
    interrupted(ctx, ZMQ_PULL, 0, call_msg_recv, "zmq_msg_recv");
    interrupted(ctx, ZMQ_PUSH, 0, call_send, "zmq_send");
    interrupted(ctx, ZMQ_PUSH, ZMQ_SNDTIMEO, call_send, "zmq_send with SNDTIMEO");
    interrupted(ctx, ZMQ_PUSH, 0, call_msg_send, "zmq_msg_send");
    CHECK_OK(zmq_ctx_term(ctx));
    ctx_term_interrupted();
    void *t = zmq_threadstart(check_mask, NULL);
    CHECK(t != NULL);
    zmq_threadclose(t);
    CHECK_EQ_INT(usr1_blocked, 1);
    TU_PASS("zmq_threadstart threads block signals");
    return 0;
}
