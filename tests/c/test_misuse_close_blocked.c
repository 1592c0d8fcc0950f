/*
 * C ABI misuse (issue 11): zmq_close from another thread while a thread is blocked in the
 * socket (zmq_recv, zmq_send, zmq_msg_recv, zmq_poll without timeouts). The blocked call
 * must return -1 with ENOTSOCK, nothing may crash or read freed memory (ASan in CI), and
 * zmq_ctx_term must then return. A second round closes without waiting for the other
 * thread to block, so the close races the call's start.
 *
 * RUN-AGAINST: ferromq (libzmq sockets are not thread-safe; this crashes or hangs there.)
 */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

enum op { OP_RECV, OP_SEND, OP_MSG_RECV, OP_POLL, OP_COUNT };
static const char *const OP_NAMES[] = {"zmq_recv", "zmq_send", "zmq_msg_recv", "zmq_poll"};

struct call {
    void *socket;
    enum op op;
    atomic_int tid;
    int rc;
    int err;
};

static void *blocked(void *arg) {
    struct call *c = arg;
    char buf[16];
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    zmq_pollitem_t item = {c->socket, 0, ZMQ_POLLIN, 0};
    atomic_store(&c->tid, (int) syscall(SYS_gettid));
    switch (c->op) {
    case OP_RECV: c->rc = zmq_recv(c->socket, buf, sizeof buf, 0); break;
    case OP_SEND: c->rc = zmq_send(c->socket, "x", 1, 0); break;
    case OP_MSG_RECV: c->rc = zmq_msg_recv(&msg, c->socket, 0); break;
    default: c->rc = zmq_poll(&item, 1, -1); break;
    }
    c->err = zmq_errno();
    zmq_msg_close(&msg);
    return NULL;
}

/* Whether thread `tid` of this process is asleep (in a blocking call). */
static int sleeping(int tid) {
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *p = strrchr(stat, ')');
    return p != NULL && p[1] == ' ' && p[2] == 'S';
}

static void round_trip(void *ctx, enum op op, int wait_blocked) {
    /* PUSH without peers blocks in send; PULL without peers blocks in recv and poll. */
    void *s = tu_socket(ctx, op == OP_SEND ? ZMQ_PUSH : ZMQ_PULL);
    struct call c = {s, op, 0, 0, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, blocked, &c) == 0);
    if (wait_blocked) {
        int64_t deadline = tu_now_ms() + 5000;
        while (atomic_load(&c.tid) == 0 || !sleeping(atomic_load(&c.tid))) {
            if (tu_now_ms() > deadline)
                TU_FAIL("%s never blocked", OP_NAMES[op]);
            sched_yield();
        }
    }
    CHECK_OK(zmq_close(s));
    CHECK(pthread_join(t, NULL) == 0);
    if (c.rc != -1 || c.err != ENOTSOCK)
        TU_FAIL("%s after zmq_close from another thread: %d, errno %d (%s); expected -1 ENOTSOCK",
                OP_NAMES[op], c.rc, c.err, zmq_strerror(c.err));
    CHECK_ERR(zmq_close(s), ENOTSOCK);
}

int main(void) {
    tu_init("test_misuse_close_blocked", 120);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    for (int op = 0; op < OP_COUNT; op++) {
        for (int i = 0; i < 5; i++)
            round_trip(ctx, (enum op) op, 1);
        printf("test_misuse_close_blocked: ok: %s blocked, closed from another thread: ENOTSOCK\n",
               OP_NAMES[op]);
    }
    for (int i = 0; i < 200; i++)
        round_trip(ctx, (enum op) (i % OP_COUNT), 0);
    TU_PASS("200 closes racing the start of a blocking call");
    CHECK_OK(zmq_ctx_term(ctx));
    TU_PASS("zmq_ctx_term returns");
    return 0;
}
