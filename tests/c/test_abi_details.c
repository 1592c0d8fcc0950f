/*
 * test_abi_details.c: small results of the C API that libzmq's own tests check:
 * - zmq_getsockopt of ZMQ_RCVMORE / ZMQ_EVENTS into a larger (int64_t) buffer: size 4 and
 *   the rest of the buffer zeroed (test_getsockopt_memset);
 * - zmq_recviov returns the number of frames, not bytes (test_iov);
 * - zmq_msg_get(ZMQ_SHARED) is 1 for constant data (zmq_msg_init_data without a free
 *   function) and 0 with one (test_msg_flags);
 * - zmq_msg_get(ZMQ_SRCFD) is the connection's descriptor over tcp (getpeername works on
 *   it, and fails with EBADF once the sockets are closed) and ipc, -1 over inproc
 *   (test_srcfd);
 * - zmq_msg_gets("Peer-Address") is the peer's IP over tcp, "localhost:UID:GID:PID" of
 *   the peer process over ipc (libzmq 4.3 on Linux), absent over inproc;
 * - zmq_timers_* given something that is not a set of timers (a socket, zeroed memory)
 *   fail with EFAULT and write nothing through the pointer.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

static void getsockopt_zero_fills(void *ctx) {
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(pull != NULL);
    int64_t wide;
    size_t size = sizeof wide;
    memset(&wide, 0xff, sizeof wide);
    CHECK_OK(zmq_getsockopt(pull, ZMQ_RCVMORE, &wide, &size));
    CHECK_EQ_INT(size, sizeof(int));
    CHECK_EQ_INT(wide, 0);
    memset(&wide, 0xff, sizeof wide);
    size = sizeof wide;
    CHECK_OK(zmq_getsockopt(pull, ZMQ_EVENTS, &wide, &size));
    CHECK_EQ_INT(size, sizeof(int));
    CHECK_EQ_INT(wide, 0); /* a PULL without messages: neither POLLIN nor POLLOUT */
    CHECK_OK(zmq_close(pull));
}

static void recviov_counts_frames(void *ctx) {
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK_OK(zmq_bind(pull, "inproc://abi-iov"));
    CHECK_OK(zmq_connect(push, "inproc://abi-iov"));
    CHECK_OK(zmq_send(push, "0123456789", 10, ZMQ_SNDMORE));
    CHECK_OK(zmq_send(push, "abcdefghij", 10, ZMQ_SNDMORE));
    CHECK_OK(zmq_send(push, "ABCDEFGHIJ", 10, 0));
    struct iovec iov[8];
    size_t count = 8;
    int rc = zmq_recviov(pull, iov, &count, 0);
    CHECK_EQ_INT(rc, 3);
    CHECK_EQ_INT(count, 3);
    CHECK_MEM(iov[1].iov_base, iov[1].iov_len, "abcdefghij", 10);
    for (size_t i = 0; i < count; i++)
        free(iov[i].iov_base);
    CHECK_OK(zmq_close(push));
    CHECK_OK(zmq_close(pull));
}

static void free_nothing(void *data, void *hint) {
    (void) data;
    (void) hint;
}

static void shared_flag(void) {
    static char constant[] = "TEST";
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init_data(&m, constant, 5, NULL, NULL));
    CHECK_EQ_INT(zmq_msg_get(&m, ZMQ_SHARED), 1);
    CHECK_OK(zmq_msg_close(&m));
    CHECK_OK(zmq_msg_init_data(&m, constant, 5, free_nothing, NULL));
    CHECK_EQ_INT(zmq_msg_get(&m, ZMQ_SHARED), 0);
    CHECK_OK(zmq_msg_close(&m));
}

/* Sends one frame from a fresh REQ to a fresh REP over `transport`, receives it into
 * `msg` (initialised here) and returns the REP (the REQ goes to *req). */
static void *receive_one(void *ctx, const char *transport, zmq_msg_t *msg, void **req) {
    void *rep = zmq_socket(ctx, ZMQ_REP);
    *req = zmq_socket(ctx, ZMQ_REQ);
    CHECK(rep != NULL && *req != NULL);
    char ep[256];
    tu_bind(rep, transport, ep, sizeof ep);
    CHECK_OK(zmq_connect(*req, ep));
    CHECK_OK(zmq_send(*req, "hello", 5, 0));
    CHECK_OK(zmq_msg_init(msg));
    CHECK_EQ_INT(zmq_msg_recv(msg, rep, 0), 5);
    return rep;
}

static void srcfd_and_peer_address(void *ctx) {
    zmq_msg_t msg;
    void *req;
    void *rep = receive_one(ctx, "tcp", &msg, &req);
    int fd = zmq_msg_get(&msg, ZMQ_SRCFD);
    CHECK(fd >= 0);
    const char *peer = zmq_msg_gets(&msg, "Peer-Address");
    CHECK(peer != NULL);
    CHECK_EQ_STR(peer, "127.0.0.1");
    CHECK_OK(zmq_msg_close(&msg));
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    CHECK(getpeername(fd, (struct sockaddr *) &sa, &len) == 0);
    CHECK_EQ_INT(sa.sin_family, AF_INET);
    CHECK_EQ_INT(ntohl(sa.sin_addr.s_addr), INADDR_LOOPBACK);
    int linger = 0;
    CHECK_OK(zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger));
    CHECK_OK(zmq_setsockopt(rep, ZMQ_LINGER, &linger, sizeof linger));
    CHECK_OK(zmq_close(req));
    CHECK_OK(zmq_close(rep));
    /* The descriptor is closed with the connection (polled: closing is asynchronous). */
    int64_t deadline = tu_now_ms() + 5000;
    while (getpeername(fd, (struct sockaddr *) &sa, &len) == 0 && tu_now_ms() < deadline) {
        len = sizeof sa;
        tu_sleep_ms(10);
    }
    CHECK(getpeername(fd, (struct sockaddr *) &sa, &len) == -1 && errno == EBADF);

    /* ipc: the descriptor, and "localhost:UID:GID:PID" of the peer process. */
    rep = receive_one(ctx, "ipc", &msg, &req);
    CHECK(zmq_msg_get(&msg, ZMQ_SRCFD) >= 0);
    char expect[128];
    snprintf(expect, sizeof expect, "localhost:%d:%d:%d", (int) getuid(), (int) getgid(),
             (int) getpid());
    CHECK_EQ_STR(zmq_msg_gets(&msg, "Peer-Address"), expect);
    CHECK_OK(zmq_msg_close(&msg));
    CHECK_OK(zmq_close(req));
    CHECK_OK(zmq_close(rep));

    /* inproc: neither. */
    rep = receive_one(ctx, "inproc", &msg, &req);
    CHECK_EQ_INT(zmq_msg_get(&msg, ZMQ_SRCFD), -1);
    CHECK_NULL_ERR(zmq_msg_gets(&msg, "Peer-Address"), EINVAL);
    CHECK_OK(zmq_msg_close(&msg));
    CHECK_OK(zmq_close(req));
    CHECK_OK(zmq_close(rep));
}

static void on_timer(int id, void *arg) {
    (void) id;
    (void) arg;
}

static void timers_check_their_handle(void *ctx) {
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CHECK(s != NULL);
    CHECK_ERR(zmq_timers_add(s, 10, on_timer, NULL), EFAULT);
    CHECK_ERR(zmq_timers_cancel(s, 1), EFAULT);
    CHECK_ERR(zmq_timers_set_interval(s, 1, 5), EFAULT);
    CHECK_ERR(zmq_timers_reset(s, 1), EFAULT);
    CHECK_ERR(zmq_timers_execute(s), EFAULT);
    errno = 0;
    CHECK_EQ_INT(zmq_timers_timeout(s), -1);
    CHECK_EQ_INT(zmq_errno(), EFAULT);
    void *p = s;
    CHECK_ERR(zmq_timers_destroy(&p), EFAULT);
    CHECK(p == s);
    /* The socket is untouched and still works. */
    int type = 0;
    size_t size = sizeof type;
    CHECK_OK(zmq_getsockopt(s, ZMQ_TYPE, &type, &size));
    CHECK_EQ_INT(type, ZMQ_PAIR);
    CHECK_OK(zmq_close(s));

    uint64_t zeroed[16];
    memset(zeroed, 0, sizeof zeroed);
    CHECK_ERR(zmq_timers_add(zeroed, 10, on_timer, NULL), EFAULT);
    CHECK_ERR(zmq_timers_execute(zeroed), EFAULT);
    p = zeroed;
    CHECK_ERR(zmq_timers_destroy(&p), EFAULT);
    for (size_t i = 0; i < 16; i++)
        CHECK_EQ_INT(zeroed[i], 0);

    void *timers = zmq_timers_new();
    CHECK(timers != NULL);
    CHECK(zmq_timers_add(timers, 10, on_timer, NULL) >= 0);
    CHECK_OK(zmq_timers_destroy(&timers));
    CHECK(timers == NULL);
    CHECK_ERR(zmq_timers_destroy(&timers), EFAULT);
}

int main(void) {
    tu_init("test_abi_details", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    getsockopt_zero_fills(ctx);
    TU_PASS("getsockopt zero-fills a larger buffer");
    recviov_counts_frames(ctx);
    TU_PASS("zmq_recviov returns the frame count");
    shared_flag();
    TU_PASS("ZMQ_SHARED for constant data");
    srcfd_and_peer_address(ctx);
    TU_PASS("ZMQ_SRCFD and Peer-Address");
    timers_check_their_handle(ctx);
    TU_PASS("zmq_timers_* check their handle");
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
