/* Install check for libferromq: compiled against the installed zmq.h (or libzmq's) and
 * run. Exercises REQ/REP, multipart, zmq_msg lifetimes, zmq_poll over sockets and a
 * pipe, options, errno values, monitor, proxy, close from another thread, z85. */
#include <zmq.h>
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d: %s)\n", __FILE__,      \
                    __LINE__, #cond, zmq_errno(), zmq_strerror(zmq_errno()));          \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

static int freed = 0;
static void free_fn(void *data, void *hint) {
    CHECK(hint == (void *)0x1234);
    free(data);
    __atomic_add_fetch(&freed, 1, __ATOMIC_SEQ_CST);
}

static void hello(void *ctx) {
    void *rep = zmq_socket(ctx, ZMQ_REP);
    CHECK(rep);
    CHECK(zmq_bind(rep, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t len = sizeof endpoint;
    CHECK(zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);
    CHECK(len == strlen(endpoint) + 1);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    CHECK(zmq_connect(req, endpoint) == 0);

    CHECK(zmq_send(req, "Hello", 5, 0) == 5);
    /* EFSM: a REQ must receive before sending again. */
    CHECK(zmq_send(req, "again", 5, 0) == -1 && zmq_errno() == EFSM);
    char buf[3];
    CHECK(zmq_recv(rep, buf, sizeof buf, 0) == 5); /* full size, truncated copy */
    CHECK(memcmp(buf, "Hel", 3) == 0);
    CHECK(zmq_send(rep, "World", 5, 0) == 5);
    char reply[16] = {0};
    CHECK(zmq_recv(req, reply, sizeof reply, 0) == 5 && strcmp(reply, "World") == 0);

    /* Multipart with zmq_msg_t, including a zero-copy frame. */
    zmq_msg_t part;
    CHECK(zmq_msg_init_size(&part, 3) == 0);
    memcpy(zmq_msg_data(&part), "abc", 3);
    CHECK(zmq_msg_send(&part, req, ZMQ_SNDMORE) == 3);
    CHECK(zmq_msg_size(&part) == 0);
    char *big = malloc(100000);
    memset(big, 'z', 100000);
    CHECK(zmq_msg_init_data(&part, big, 100000, free_fn, (void *)0x1234) == 0);
    CHECK(zmq_msg_send(&part, req, 0) == 100000);
    CHECK(zmq_msg_close(&part) == 0);

    zmq_msg_t in;
    CHECK(zmq_msg_init(&in) == 0);
    CHECK(zmq_msg_recv(&in, rep, 0) == 3 && zmq_msg_more(&in) == 1);
    CHECK(memcmp(zmq_msg_data(&in), "abc", 3) == 0);
    int more;
    size_t more_len = sizeof more;
    CHECK(zmq_getsockopt(rep, ZMQ_RCVMORE, &more, &more_len) == 0 && more == 1);
    CHECK(zmq_msg_recv(&in, rep, 0) == 100000 && zmq_msg_more(&in) == 0);
    CHECK(((char *)zmq_msg_data(&in))[99999] == 'z');
    CHECK(zmq_msg_get(&in, ZMQ_MORE) == 0);
    CHECK(zmq_msg_close(&in) == 0);
    CHECK(zmq_msg_close(&in) == -1 && zmq_errno() == EFAULT);
    CHECK(zmq_send(rep, "", 0, 0) == 0);
    CHECK(zmq_recv(req, NULL, 0, 0) == 0);

    CHECK(zmq_close(req) == 0);
    CHECK(zmq_close(rep) == 0);
    CHECK(zmq_close(rep) == -1 && zmq_errno() == ENOTSOCK);
    CHECK(zmq_close(NULL) == -1 && zmq_errno() == ENOTSOCK);
    printf("hello REQ/REP + multipart: ok\n");
}

static void polling(void *ctx) {
    void *pull_a = zmq_socket(ctx, ZMQ_PULL);
    void *pull_b = zmq_socket(ctx, ZMQ_PULL);
    CHECK(zmq_bind(pull_a, "inproc://a") == 0);
    CHECK(zmq_bind(pull_b, "ipc://*") == 0);
    char endpoint[256];
    size_t len = sizeof endpoint;
    CHECK(zmq_getsockopt(pull_b, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(zmq_connect(push, endpoint) == 0);
    int fds[2];
    CHECK(pipe(fds) == 0);

    zmq_pollitem_t items[] = {
        {pull_a, 0, ZMQ_POLLIN, 0},
        {pull_b, 0, ZMQ_POLLIN, 0},
        {NULL, fds[0], ZMQ_POLLIN, 0},
    };
    CHECK(zmq_poll(items, 3, 10) == 0);
    CHECK(zmq_send(push, "x", 1, 0) == 1);
    CHECK(zmq_poll(items, 3, 5000) == 1);
    CHECK(items[0].revents == 0 && items[1].revents == ZMQ_POLLIN && items[2].revents == 0);
    char c;
    CHECK(zmq_recv(pull_b, &c, 1, 0) == 1);
    CHECK(write(fds[1], "!", 1) == 1);
    CHECK(zmq_poll(items, 3, 5000) == 1 && items[2].revents == ZMQ_POLLIN);
    CHECK(zmq_recv(pull_a, &c, 1, ZMQ_DONTWAIT) == -1 && zmq_errno() == EAGAIN);
    close(fds[0]);
    close(fds[1]);

    int hwm = 0;
    size_t hwm_len = sizeof hwm;
    int value = 42;
    CHECK(zmq_setsockopt(push, ZMQ_SNDHWM, &value, sizeof value) == 0);
    CHECK(zmq_getsockopt(push, ZMQ_SNDHWM, &hwm, &hwm_len) == 0 && hwm == 42);
    CHECK(zmq_setsockopt(push, ZMQ_SNDHWM, &value, 2) == -1 && zmq_errno() == EINVAL);
    int type;
    size_t type_len = sizeof type;
    CHECK(zmq_getsockopt(push, ZMQ_TYPE, &type, &type_len) == 0 && type == ZMQ_PUSH);
    int fd;
    size_t fd_len = sizeof fd;
    CHECK(zmq_getsockopt(push, ZMQ_FD, &fd, &fd_len) == 0 && fd >= 0);
    CHECK(zmq_close(push) == 0);
    CHECK(zmq_close(pull_a) == 0);
    CHECK(zmq_close(pull_b) == 0);
    printf("zmq_poll over sockets and a pipe, options: ok\n");
}

static void monitor(void *ctx) {
    void *rep = zmq_socket(ctx, ZMQ_REP);
    CHECK(zmq_socket_monitor(rep, "inproc://mon", ZMQ_EVENT_LISTENING) == 0);
    CHECK(zmq_socket_monitor(rep, "tcp://127.0.0.1:1", 0) == -1 &&
          zmq_errno() == EPROTONOSUPPORT);
    void *mon = zmq_socket(ctx, ZMQ_PAIR);
    CHECK(zmq_connect(mon, "inproc://mon") == 0);
    CHECK(zmq_bind(rep, "tcp://127.0.0.1:*") == 0);
    zmq_msg_t ev;
    zmq_msg_init(&ev);
    CHECK(zmq_msg_recv(&ev, mon, 0) == 6);
    unsigned short event;
    memcpy(&event, zmq_msg_data(&ev), 2);
    CHECK(event == ZMQ_EVENT_LISTENING);
    CHECK(zmq_msg_recv(&ev, mon, 0) > 0);
    zmq_msg_close(&ev);
    CHECK(zmq_close(rep) == 0);
    CHECK(zmq_close(mon) == 0);
    printf("monitor: ok\n");
}

#ifdef FERROMQ_ZMQ_H_INCLUDED
static void *blocked_recv(void *sock) {
    char buf[8];
    int rc = zmq_recv(sock, buf, sizeof buf, 0);
    CHECK(rc == -1 && (zmq_errno() == ENOTSOCK || zmq_errno() == ETERM));
    return NULL;
}

static void close_from_other_thread(void *ctx) {
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    pthread_t t;
    pthread_create(&t, NULL, blocked_recv, pull);
    usleep(50000);
    CHECK(zmq_close(pull) == 0);
    pthread_join(t, NULL);
    printf("close while another thread is blocked: ok\n");
}
#endif

static void *run_proxy(void *arg) {
    void *ctx = arg;
    void *front = zmq_socket(ctx, ZMQ_PULL);
    void *back = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(zmq_bind(front, "inproc://front") == 0);
    CHECK(zmq_bind(back, "inproc://back") == 0);
    int rc = zmq_proxy(front, back, NULL);
    CHECK(rc == -1 && zmq_errno() == ETERM);
    zmq_close(front);
    zmq_close(back);
    return NULL;
}

static void proxy(void) {
    void *ctx = zmq_ctx_new();
    pthread_t t;
    pthread_create(&t, NULL, run_proxy, ctx);
    usleep(50000);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(zmq_connect(push, "inproc://front") == 0);
    CHECK(zmq_connect(pull, "inproc://back") == 0);
    CHECK(zmq_send(push, "via proxy", 9, 0) == 9);
    char buf[16];
    CHECK(zmq_recv(pull, buf, sizeof buf, 0) == 9);
    zmq_close(push);
    zmq_close(pull);
    CHECK(zmq_ctx_term(ctx) == 0);
    pthread_join(t, NULL);
    printf("proxy until ctx term: ok\n");
}

static void *recv_until_term(void *sock) {
    char buf[8];
    CHECK(zmq_recv(sock, buf, sizeof buf, 0) == -1 && zmq_errno() == ETERM);
    CHECK(zmq_close(sock) == 0);
    return NULL;
}

static void shutdown_and_term(void) {
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(zmq_bind(pull, "inproc://term") == 0);
    pthread_t t;
    pthread_create(&t, NULL, recv_until_term, pull);
    usleep(50000);
    CHECK(zmq_ctx_shutdown(ctx) == 0);
    pthread_join(t, NULL);
    CHECK(zmq_socket(ctx, ZMQ_PUSH) == NULL && zmq_errno() == ETERM);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("ctx shutdown (ETERM) and term: ok\n");
}

int main(void) {
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("version %d.%d.%d, ipc %d, curve %d\n", major, minor, patch, zmq_has("ipc"),
           zmq_has("curve"));
    CHECK(sizeof(zmq_msg_t) == 64 && sizeof(zmq_pollitem_t) == 16);
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    CHECK(zmq_ctx_get(ctx, ZMQ_IO_THREADS) == 1);
    hello(ctx);
    polling(ctx);
    monitor(ctx);
#ifdef FERROMQ_ZMQ_H_INCLUDED
    /* libzmq does not support this (the blocked call never returns): ferromq only. */
    close_from_other_thread(ctx);
#endif
    CHECK(zmq_ctx_term(ctx) == 0);
    CHECK(freed == 1);
    proxy();
    shutdown_and_term();

    uint8_t key[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    CHECK(zmq_z85_encode(text, key, 8) && strcmp(text, "HelloWorld") == 0);
    printf("z85: ok\nall ok\n");
    return 0;
}
