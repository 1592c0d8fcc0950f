/*
 * zmq_proxy and zmq_proxy_steerable:
 * - a PULL -> PUSH proxy in a thread (with a capture socket) forwards every frame of every
 *   message in order, the capture socket sees copies; zmq_ctx_shutdown ends it: -1 + ETERM;
 * - a ROUTER -> DEALER proxy carries REQ/REP round trips from several clients (envelopes
 *   travel through); zmq_ctx_shutdown ends it with ETERM;
 * - zmq_proxy_steerable with a PAIR control socket: PAUSE stops forwarding, RESUME
 *   restarts it, STATISTICS answers with 8 frames of uint64 (frontend msgs in/bytes in/msgs
 *   out/bytes out, then the backend's; a multipart message counts once), TERMINATE returns 0;
 * - the same socket as frontend and backend is an echo (Jupyter's heartbeat): zmq_proxy on
 *   a ROUTER sends each message back to its peer, zmq_device on a REP answers each
 *   request with itself, zmq_proxy_steerable on one socket stops on TERMINATE.
 */
#include "testutil.h"

#include <pthread.h>

struct proxy_args {
    void *frontend, *backend, *capture, *control;
    int steerable, device;
    int rc, err;
};

static void *proxy_thread(void *arg) {
    struct proxy_args *p = arg;
    if (p->steerable)
        p->rc = zmq_proxy_steerable(p->frontend, p->backend, p->capture, p->control);
    else if (p->device)
        p->rc = zmq_device(ZMQ_QUEUE, p->frontend, p->backend);
    else
        p->rc = zmq_proxy(p->frontend, p->backend, p->capture);
    p->err = zmq_errno();
    /* The proxy's sockets belong to this thread: close them so zmq_ctx_term can finish. */
    tu_close(p->frontend);
    if (p->backend != p->frontend)
        tu_close(p->backend);
    if (p->capture)
        tu_close(p->capture);
    if (p->control)
        tu_close(p->control);
    return NULL;
}

static void pull_push_proxy(const char *tr) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    char fe[256], be[256], cap[256];
    struct proxy_args p = {0};
    p.frontend = tu_socket(ctx, ZMQ_PULL);
    p.backend = tu_socket(ctx, ZMQ_PUSH);
    p.capture = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(p.frontend, tr, fe, sizeof fe);
    tu_bind(p.backend, tr, be, sizeof be);
    tu_bind(p.capture, "inproc", cap, sizeof cap);
    void *producer = tu_socket(ctx, ZMQ_PUSH);
    void *consumer = tu_socket(ctx, ZMQ_PULL);
    void *tap = tu_socket(ctx, ZMQ_PULL);
    CHECK_OK(zmq_connect(producer, fe));
    CHECK_OK(zmq_connect(consumer, be));
    CHECK_OK(zmq_connect(tap, cap));
    pthread_t th;
    CHECK(pthread_create(&th, NULL, proxy_thread, &p) == 0);

    for (int i = 0; i < 20; i++) {
        char m[16];
        snprintf(m, sizeof m, "msg %d", i);
        tu_send_str(producer, m, ZMQ_SNDMORE);
        tu_send_str(producer, "part 2", 0);
    }
    for (int i = 0; i < 20; i++) {
        char m[16];
        snprintf(m, sizeof m, "msg %d", i);
        tu_recv_expect(consumer, m, 1);
        tu_recv_expect(consumer, "part 2", 0);
        tu_recv_expect(tap, m, 1);
        tu_recv_expect(tap, "part 2", 0);
    }

    CHECK_OK(zmq_ctx_shutdown(ctx));
    pthread_join(th, NULL);
    CHECK_EQ_INT(p.rc, -1);
    CHECK_EQ_INT(p.err, ETERM);
    tu_close(producer);
    tu_close(consumer);
    tu_close(tap);
    CHECK_OK(zmq_ctx_term(ctx));
}

static void router_dealer_proxy(const char *tr) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    char fe[256], be[256];
    struct proxy_args p = {0};
    p.frontend = tu_socket(ctx, ZMQ_ROUTER);
    p.backend = tu_socket(ctx, ZMQ_DEALER);
    tu_bind(p.frontend, tr, fe, sizeof fe);
    tu_bind(p.backend, tr, be, sizeof be);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, proxy_thread, &p) == 0);

    void *worker = tu_socket(ctx, ZMQ_REP);
    CHECK_OK(zmq_connect(worker, be));
    void *clients[3];
    for (int c = 0; c < 3; c++) {
        clients[c] = tu_socket(ctx, ZMQ_REQ);
        CHECK_OK(zmq_connect(clients[c], fe));
    }
    for (int round = 0; round < 5; round++) {
        for (int c = 0; c < 3; c++) {
            char m[64];
            snprintf(m, sizeof m, "client %d round %d", c, round);
            tu_send_str(clients[c], m, 0);
        }
        for (int c = 0; c < 3; c++) {
            /* The REP worker sees only the body; the reply is routed back to its client. */
            char buf[64];
            int n = zmq_recv(worker, buf, sizeof buf - 1, 0);
            CHECK(n > 0);
            buf[n] = '\0';
            CHECK(strncmp(buf, "client ", 7) == 0);
            char reply[96];
            snprintf(reply, sizeof reply, "re: %s", buf);
            tu_send_str(worker, reply, 0);
        }
        for (int c = 0; c < 3; c++) {
            char m[80];
            snprintf(m, sizeof m, "re: client %d round %d", c, round);
            tu_recv_expect(clients[c], m, 0);
        }
    }

    CHECK_OK(zmq_ctx_shutdown(ctx));
    pthread_join(th, NULL);
    CHECK_EQ_INT(p.rc, -1);
    CHECK_EQ_INT(p.err, ETERM);
    for (int c = 0; c < 3; c++)
        tu_close(clients[c]);
    tu_close(worker);
    CHECK_OK(zmq_ctx_term(ctx));
}

static uint64_t recv_u64(void *s, int more) {
    uint64_t v = 0;
    CHECK_EQ_INT(zmq_recv(s, &v, sizeof v, 0), sizeof v);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_RCVMORE), more);
    return v;
}

static void statistics(void *ctl, uint64_t st[8]) {
    tu_send_str(ctl, "STATISTICS", 0);
    for (int i = 0; i < 8; i++)
        st[i] = recv_u64(ctl, i < 7);
}

static void steerable(const char *tr) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    char fe[256], be[256], ctl_ep[256];
    struct proxy_args p = {0};
    p.steerable = 1;
    p.frontend = tu_socket(ctx, ZMQ_PULL);
    p.backend = tu_socket(ctx, ZMQ_PUSH);
    p.control = tu_socket(ctx, ZMQ_PAIR);
    tu_bind(p.frontend, tr, fe, sizeof fe);
    tu_bind(p.backend, tr, be, sizeof be);
    tu_bind(p.control, "inproc", ctl_ep, sizeof ctl_ep);
    void *ctl = tu_socket(ctx, ZMQ_PAIR);
    CHECK_OK(zmq_connect(ctl, ctl_ep));
    void *producer = tu_socket(ctx, ZMQ_PUSH);
    void *consumer = tu_socket(ctx, ZMQ_PULL);
    CHECK_OK(zmq_connect(producer, fe));
    CHECK_OK(zmq_connect(consumer, be));
    pthread_t th;
    CHECK(pthread_create(&th, NULL, proxy_thread, &p) == 0);

    uint64_t st[8];
    statistics(ctl, st);
    for (int i = 0; i < 8; i++)
        CHECK_EQ_INT(st[i], 0);

    tu_send_str(producer, "one", 0);     /* 3 bytes */
    tu_send_str(producer, "two", ZMQ_SNDMORE);
    tu_send_str(producer, "three", 0);   /* 2 frames, 8 bytes */
    tu_recv_expect(consumer, "one", 0);
    tu_recv_expect(consumer, "two", 1);
    tu_recv_expect(consumer, "three", 0);

    /* PAUSE, then STATISTICS as a barrier: the proxy has seen PAUSE once it answers. */
    tu_send_str(ctl, "PAUSE", 0);
    statistics(ctl, st);
    /* Counted in whole messages (a multipart message is one), bytes of all frames. */
    CHECK_EQ_INT(st[0], 2);  /* frontend: messages received */
    CHECK_EQ_INT(st[1], 11); /* frontend: bytes received */
    CHECK_EQ_INT(st[2], 0);  /* frontend: messages sent */
    CHECK_EQ_INT(st[3], 0);  /* frontend: bytes sent */
    CHECK_EQ_INT(st[4], 0);  /* backend: messages received */
    CHECK_EQ_INT(st[5], 0);  /* backend: bytes received */
    CHECK_EQ_INT(st[6], 2);  /* backend: messages sent */
    CHECK_EQ_INT(st[7], 11); /* backend: bytes sent */
    tu_send_str(producer, "while paused", 0);
    CHECK_EQ_INT(tu_wait_readable(consumer, 300), 0); /* paused: nothing is forwarded */
    tu_send_str(ctl, "RESUME", 0);
    tu_recv_expect(consumer, "while paused", 0);
    statistics(ctl, st);
    CHECK_EQ_INT(st[0], 3);
    CHECK_EQ_INT(st[1], 23);
    CHECK_EQ_INT(st[6], 3);
    CHECK_EQ_INT(st[7], 23);

    tu_send_str(ctl, "TERMINATE", 0);
    pthread_join(th, NULL);
    CHECK_EQ_INT(p.rc, 0);
    tu_close(ctl);
    tu_close(producer);
    tu_close(consumer);
    CHECK_OK(zmq_ctx_term(ctx));
}

/* One socket as frontend and backend: `type` ROUTER with zmq_proxy, REP with zmq_device,
 * DEALER with zmq_proxy_steerable (ended by TERMINATE). */
static void echo(const char *tr, int type) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    char ep[256], cep[256];
    struct proxy_args p = {0};
    p.frontend = tu_socket(ctx, type);
    p.backend = p.frontend;
    tu_bind(p.frontend, tr, ep, sizeof ep);
    void *ctl = NULL;
    if (type == ZMQ_DEALER) {
        p.steerable = 1;
        p.control = tu_socket(ctx, ZMQ_PAIR);
        tu_bind(p.control, "inproc", cep, sizeof cep);
        ctl = tu_socket(ctx, ZMQ_PAIR);
        CHECK_OK(zmq_connect(ctl, cep));
    }
    p.device = type == ZMQ_REP;
    pthread_t th;
    CHECK(pthread_create(&th, NULL, proxy_thread, &p) == 0);

    void *client = tu_socket(ctx, type == ZMQ_REP ? ZMQ_REQ : ZMQ_DEALER);
    CHECK_OK(zmq_connect(client, ep));
    for (int i = 0; i < 5; i++) {
        char m[32];
        snprintf(m, sizeof m, "ping %d", i);
        tu_send_str(client, m, 0);
        tu_recv_expect(client, m, 0);
    }

    if (ctl) {
        tu_send_str(ctl, "TERMINATE", 0);
        pthread_join(th, NULL);
        CHECK_EQ_INT(p.rc, 0);
        tu_close(ctl);
    } else {
        CHECK_OK(zmq_ctx_shutdown(ctx));
        pthread_join(th, NULL);
        CHECK_EQ_INT(p.rc, -1);
        CHECK_EQ_INT(p.err, ETERM);
    }
    tu_close(client);
    CHECK_OK(zmq_ctx_term(ctx));
}

int main(void) {
    tu_init("test_proxy", 60);
    for (int t = 0; t < TU_NTRANSPORTS; t++) {
        char what[64];
        pull_push_proxy(TU_TRANSPORTS[t]);
        snprintf(what, sizeof what, "zmq_proxy PULL->PUSH with capture over %s",
                 TU_TRANSPORTS[t]);
        TU_PASS(what);
        router_dealer_proxy(TU_TRANSPORTS[t]);
        snprintf(what, sizeof what, "zmq_proxy ROUTER->DEALER over %s", TU_TRANSPORTS[t]);
        TU_PASS(what);
        steerable(TU_TRANSPORTS[t]);
        snprintf(what, sizeof what, "zmq_proxy_steerable over %s", TU_TRANSPORTS[t]);
        TU_PASS(what);
        echo(TU_TRANSPORTS[t], ZMQ_ROUTER);
        snprintf(what, sizeof what, "zmq_proxy(s, s) ROUTER echo over %s", TU_TRANSPORTS[t]);
        TU_PASS(what);
        echo(TU_TRANSPORTS[t], ZMQ_REP);
        snprintf(what, sizeof what, "zmq_device(s, s) REP echo over %s", TU_TRANSPORTS[t]);
        TU_PASS(what);
        echo(TU_TRANSPORTS[t], ZMQ_DEALER);
        snprintf(what, sizeof what, "zmq_proxy_steerable(s, s) echo over %s", TU_TRANSPORTS[t]);
        TU_PASS(what);
    }
    return 0;
}
