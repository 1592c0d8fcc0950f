/*
 * testutil.h: tiny helpers shared by the C tests in tests/c/.
 *
 * Every test is one program compiled twice from the same source, against Debian's libzmq
 * and against ferromq (see tests/c/run.sh), so it may use only libzmq's stable API.
 *
 * - CHECK*() macros print file:line, the expression and errno, and exit(1).
 * - tu_init() arms an alarm() watchdog (no test can hang) and makes a unique temporary
 *   directory for ipc endpoints, removed at exit.
 * - Endpoints: only 127.0.0.1 (tcp), ipc paths under that directory, and inproc.
 *
 * Include this header first: it sets the feature-test macro.
 */
#ifndef FERROMQ_TESTUTIL_H
#define FERROMQ_TESTUTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#if defined(__GNUC__)
#define TU_UNUSED __attribute__((unused))
#else
#define TU_UNUSED
#endif

/* ------------------------------------------------------------------ assertions */

#define TU_FAIL(...)                                                                    \
    do {                                                                                \
        fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);                           \
        fprintf(stderr, __VA_ARGS__);                                                   \
        fprintf(stderr, "\n");                                                          \
        fflush(stderr);                                                                 \
        exit(1);                                                                        \
    } while (0)

/* A condition that must hold. */
#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond))                                                                    \
            TU_FAIL("CHECK(%s) (errno %d: %s)", #cond, zmq_errno(),                     \
                    zmq_strerror(zmq_errno()));                                         \
    } while (0)

/* A zmq call that must succeed (return value != -1, as libzmq reports errors). */
#define CHECK_OK(expr)                                                                  \
    do {                                                                                \
        int tu_rc_ = (int) (expr);                                                      \
        if (tu_rc_ == -1)                                                               \
            TU_FAIL("%s returned -1 (errno %d: %s)", #expr, zmq_errno(),                \
                    zmq_strerror(zmq_errno()));                                         \
    } while (0)

/* A zmq call that must fail with -1 and exactly this errno. */
#define CHECK_ERR(expr, err)                                                            \
    do {                                                                                \
        errno = 0;                                                                      \
        int tu_rc_ = (int) (expr);                                                      \
        int tu_e_ = zmq_errno();                                                        \
        if (tu_rc_ != -1 || tu_e_ != (err))                                             \
            TU_FAIL("%s: expected -1 with %s (%d), got %d with errno %d (%s)", #expr,   \
                    #err, (int) (err), tu_rc_, tu_e_, zmq_strerror(tu_e_));             \
    } while (0)

/* A pointer-returning call that must fail with NULL and exactly this errno. */
#define CHECK_NULL_ERR(expr, err)                                                       \
    do {                                                                                \
        errno = 0;                                                                      \
        const void *tu_p_ = (const void *) (expr);                                      \
        int tu_e_ = zmq_errno();                                                        \
        if (tu_p_ != NULL || tu_e_ != (err))                                            \
            TU_FAIL("%s: expected NULL with %s (%d), got %p with errno %d (%s)", #expr, \
                    #err, (int) (err), tu_p_, tu_e_, zmq_strerror(tu_e_));              \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                              \
    do {                                                                                \
        long long tu_a_ = (long long) (a), tu_b_ = (long long) (b);                     \
        if (tu_a_ != tu_b_)                                                             \
            TU_FAIL("%s == %s: %lld != %lld", #a, #b, tu_a_, tu_b_);                    \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                              \
    do {                                                                                \
        const char *tu_a_ = (a), *tu_b_ = (b);                                          \
        if (tu_a_ == NULL || tu_b_ == NULL || strcmp(tu_a_, tu_b_) != 0)                \
            TU_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, tu_a_ ? tu_a_ : "(null)",     \
                    tu_b_ ? tu_b_ : "(null)");                                          \
    } while (0)

#define CHECK_MEM(ptr, len, expect, expect_len)                                         \
    do {                                                                                \
        size_t tu_l_ = (size_t) (len), tu_el_ = (size_t) (expect_len);                  \
        if (tu_l_ != tu_el_ || memcmp((ptr), (expect), tu_l_) != 0)                     \
            TU_FAIL("%s (%zu bytes) != %s (%zu bytes)", #ptr, tu_l_, #expect, tu_el_);  \
    } while (0)

/* ------------------------------------------------------------------ watchdog, tmpdir */

static char tu_dir[128];
static const char *tu_test_name = "test";
static char tu_alarm_msg[300];

static void tu_on_alarm(int sig) {
    (void) sig;
    ssize_t w = write(2, tu_alarm_msg, strlen(tu_alarm_msg));
    (void) w;
    _exit(3);
}

static int tu_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void) sb;
    (void) flag;
    (void) ftw;
    remove(path);
    return 0;
}

static void tu_cleanup(void) {
    if (tu_dir[0])
        nftw(tu_dir, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Arms the watchdog (the whole program must finish within `seconds`) and creates the
 * temporary directory for ipc endpoints. */
static TU_UNUSED void tu_init(const char *name, unsigned seconds) {
    tu_test_name = name;
    setvbuf(stdout, NULL, _IONBF, 0);
    snprintf(tu_alarm_msg, sizeof tu_alarm_msg,
             "%s: FAIL: watchdog: still running after %u s (hang?)\n", name, seconds);
    signal(SIGALRM, tu_on_alarm);
    alarm(seconds);
    /* ipc paths are limited to ~107 bytes: keep the directory short. */
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0' || strlen(base) > 60)
        base = "/tmp";
    snprintf(tu_dir, sizeof tu_dir, "%s/fmq-ctest-XXXXXX", base);
    if (mkdtemp(tu_dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    atexit(tu_cleanup);
}

/* Marks a passing section in the output (handy when a later one fails). */
#define TU_PASS(what) printf("%s: ok: %s\n", tu_test_name, (what))

/* ------------------------------------------------------------------ time */

static TU_UNUSED int64_t tu_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static TU_UNUSED void tu_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ------------------------------------------------------------------ endpoints */

static const char *const TU_TRANSPORTS[] = {"tcp", "ipc", "inproc"};
#define TU_NTRANSPORTS 3

/* Binds `s` on a fresh endpoint of `transport` and writes the endpoint a peer must
 * connect to into `out` (for tcp: 127.0.0.1 with the kernel-chosen port). */
static TU_UNUSED void tu_bind(void *s, const char *transport, char *out, size_t outlen) {
    static int counter = 0;
    char ep[512];
    counter++;
    if (strcmp(transport, "tcp") == 0)
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:*");
    else if (strcmp(transport, "ipc") == 0)
        snprintf(ep, sizeof ep, "ipc://%s/s%d", tu_dir, counter);
    else
        snprintf(ep, sizeof ep, "inproc://%s-%d-%d", tu_test_name, (int) getpid(), counter);
    if (zmq_bind(s, ep) != 0)
        TU_FAIL("zmq_bind(%s): %s", ep, zmq_strerror(zmq_errno()));
    size_t len = outlen;
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, out, &len) != 0)
        TU_FAIL("getsockopt(LAST_ENDPOINT): %s", zmq_strerror(zmq_errno()));
}

/* ------------------------------------------------------------------ messages */

static TU_UNUSED void tu_set_int(void *s, int option, int value) {
    if (zmq_setsockopt(s, option, &value, sizeof value) != 0)
        TU_FAIL("zmq_setsockopt(%d, %d): %s", option, value, zmq_strerror(zmq_errno()));
}

static TU_UNUSED int tu_get_int(void *s, int option) {
    int value = -12345;
    size_t len = sizeof value;
    if (zmq_getsockopt(s, option, &value, &len) != 0)
        TU_FAIL("zmq_getsockopt(%d): %s", option, zmq_strerror(zmq_errno()));
    if (len != sizeof value)
        TU_FAIL("zmq_getsockopt(%d): length %zu", option, len);
    return value;
}

/* Sends a string frame (flags: 0 or ZMQ_SNDMORE...). */
static TU_UNUSED void tu_send_str(void *s, const char *str, int flags) {
    int n = zmq_send(s, str, strlen(str), flags);
    if (n != (int) strlen(str))
        TU_FAIL("zmq_send(\"%s\") returned %d: %s", str, n, zmq_strerror(zmq_errno()));
}

/* Receives one frame and checks it equals `expect`, and whether more frames follow. */
#define tu_recv_expect(s, expect, more) tu_recv_expect_at(__FILE__, __LINE__, s, expect, more)
static TU_UNUSED void tu_recv_expect_at(const char *file, int line, void *s,
                                        const char *expect, int more) {
    char buf[1024];
    int n = zmq_recv(s, buf, sizeof buf - 1, 0);
    if (n < 0) {
        fprintf(stderr, "%s:%d: FAIL: zmq_recv (expecting \"%s\"): %s\n", file, line, expect,
                zmq_strerror(zmq_errno()));
        exit(1);
    }
    buf[n < (int) sizeof buf - 1 ? n : (int) sizeof buf - 1] = '\0';
    if ((size_t) n != strlen(expect) || memcmp(buf, expect, (size_t) n) != 0) {
        fprintf(stderr, "%s:%d: FAIL: received \"%s\" (%d bytes), expected \"%s\"\n", file,
                line, buf, n, expect);
        exit(1);
    }
    int rcvmore = tu_get_int(s, ZMQ_RCVMORE);
    if (rcvmore != more) {
        fprintf(stderr, "%s:%d: FAIL: after \"%s\": RCVMORE %d, expected %d\n", file, line,
                expect, rcvmore, more);
        exit(1);
    }
}

/* Waits up to `ms` for `s` to become readable: 1 if it did, 0 if not. */
static TU_UNUSED int tu_wait_readable(void *s, long ms) {
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll(&item, 1, ms);
    if (rc < 0)
        TU_FAIL("zmq_poll: %s", zmq_strerror(zmq_errno()));
    return rc;
}

/* Sets a receive (and send) timeout: every blocking call in a test is bounded. */
static TU_UNUSED void tu_bound(void *s, int ms) {
    tu_set_int(s, ZMQ_RCVTIMEO, ms);
    tu_set_int(s, ZMQ_SNDTIMEO, ms);
}

/* Linger 0 so that closing never blocks on unsent messages. */
static TU_UNUSED void tu_close(void *s) {
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_close(s) != 0)
        TU_FAIL("zmq_close: %s", zmq_strerror(zmq_errno()));
}

static TU_UNUSED void *tu_socket(void *ctx, int type) {
    void *s = zmq_socket(ctx, type);
    if (s == NULL)
        TU_FAIL("zmq_socket(%d): %s", type, zmq_strerror(zmq_errno()));
    tu_bound(s, 5000);
    return s;
}

#endif /* FERROMQ_TESTUTIL_H */
