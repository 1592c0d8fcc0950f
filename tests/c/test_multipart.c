/*
 * Multipart messages over tcp, ipc and inproc: frame boundaries, empty frames, RCVMORE and
 * zmq_msg_more, ZMQ_MORE via zmq_msg_get, large frames, zmq_sendmsg/zmq_recvmsg, and that
 * a multipart message is delivered atomically (all frames or none, never interleaved).
 */
#include "testutil.h"

static void frames(void *ctx, const char *tr) {
    char ep[256];
    void *pull = tu_socket(ctx, ZMQ_PULL);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(pull, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(push, ep));

    tu_send_str(push, "first", ZMQ_SNDMORE);
    tu_send_str(push, "", ZMQ_SNDMORE); /* an empty frame is a frame */
    tu_send_str(push, "third", 0);
    tu_send_str(push, "single", 0);
    tu_recv_expect(pull, "first", 1);
    tu_recv_expect(pull, "", 1);
    tu_recv_expect(pull, "third", 0);
    tu_recv_expect(pull, "single", 0);

    /* The same through zmq_msg_*: zmq_msg_more and zmq_msg_get(ZMQ_MORE). */
    const int nframes = 10;
    for (int i = 0; i < nframes; i++) {
        zmq_msg_t m;
        CHECK_OK(zmq_msg_init_size(&m, sizeof i));
        memcpy(zmq_msg_data(&m), &i, sizeof i);
        CHECK_EQ_INT(zmq_msg_send(&m, push, i < nframes - 1 ? ZMQ_SNDMORE : 0), sizeof i);
        CHECK_OK(zmq_msg_close(&m));
    }
    for (int i = 0; i < nframes; i++) {
        zmq_msg_t m;
        CHECK_OK(zmq_msg_init(&m));
        CHECK_EQ_INT(zmq_msg_recv(&m, pull, 0), sizeof i);
        int v;
        memcpy(&v, zmq_msg_data(&m), sizeof v);
        CHECK_EQ_INT(v, i);
        CHECK_EQ_INT(zmq_msg_more(&m), i < nframes - 1);
        CHECK_EQ_INT(zmq_msg_get(&m, ZMQ_MORE), i < nframes - 1);
        CHECK_EQ_INT(tu_get_int(pull, ZMQ_RCVMORE), i < nframes - 1);
        CHECK_OK(zmq_msg_close(&m));
    }

    /* Large frames (1 MiB) between small ones. */
    size_t big = 1 << 20;
    unsigned char *buf = malloc(big), *rbuf = malloc(big);
    CHECK(buf && rbuf);
    for (size_t i = 0; i < big; i++)
        buf[i] = (unsigned char) (i * 7 + 3);
    tu_send_str(push, "head", ZMQ_SNDMORE);
    CHECK_EQ_INT(zmq_send(push, buf, big, ZMQ_SNDMORE), (int) big);
    tu_send_str(push, "tail", 0);
    tu_recv_expect(pull, "head", 1);
    CHECK_EQ_INT(zmq_recv(pull, rbuf, big, 0), (int) big);
    CHECK(memcmp(buf, rbuf, big) == 0);
    CHECK_EQ_INT(tu_get_int(pull, ZMQ_RCVMORE), 1);
    tu_recv_expect(pull, "tail", 0);
    free(buf);
    free(rbuf);

    /* The deprecated zmq_sendmsg/zmq_recvmsg aliases. */
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init_size(&m, 3));
    memcpy(zmq_msg_data(&m), "abc", 3);
    CHECK_EQ_INT(zmq_sendmsg(push, &m, ZMQ_SNDMORE), 3);
    CHECK_OK(zmq_msg_close(&m));
    tu_send_str(push, "end", 0);
    CHECK_OK(zmq_msg_init(&m));
    CHECK_EQ_INT(zmq_recvmsg(pull, &m, 0), 3);
    CHECK_MEM(zmq_msg_data(&m), zmq_msg_size(&m), "abc", 3);
    CHECK(zmq_msg_more(&m));
    CHECK_OK(zmq_msg_close(&m));
    tu_recv_expect(pull, "end", 0);

    /* Atomicity: two pushers each send 3-frame messages; the puller always gets whole
     * messages from one sender at a time. */
    void *push2 = tu_socket(ctx, ZMQ_PUSH);
    CHECK_OK(zmq_connect(push2, ep));
    for (int i = 0; i < 50; i++) {
        tu_send_str(push, "A", ZMQ_SNDMORE);
        tu_send_str(push2, "B", ZMQ_SNDMORE);
        tu_send_str(push, "A", ZMQ_SNDMORE);
        tu_send_str(push2, "B", ZMQ_SNDMORE);
        tu_send_str(push, "A", 0);
        tu_send_str(push2, "B", 0);
    }
    int seen_a = 0, seen_b = 0;
    for (int i = 0; i < 100; i++) {
        char who[4], f[4];
        CHECK_EQ_INT(zmq_recv(pull, who, sizeof who, 0), 1);
        CHECK_EQ_INT(tu_get_int(pull, ZMQ_RCVMORE), 1);
        CHECK_EQ_INT(zmq_recv(pull, f, sizeof f, 0), 1);
        CHECK_EQ_INT(f[0], who[0]);
        CHECK_EQ_INT(tu_get_int(pull, ZMQ_RCVMORE), 1);
        CHECK_EQ_INT(zmq_recv(pull, f, sizeof f, 0), 1);
        CHECK_EQ_INT(f[0], who[0]);
        CHECK_EQ_INT(tu_get_int(pull, ZMQ_RCVMORE), 0);
        if (who[0] == 'A')
            seen_a++;
        else
            seen_b++;
    }
    CHECK_EQ_INT(seen_a, 50);
    CHECK_EQ_INT(seen_b, 50);
    CHECK_ERR(zmq_recv(pull, (char[4]){0}, 4, ZMQ_DONTWAIT), EAGAIN);

    tu_close(push2);
    tu_close(push);
    tu_close(pull);
}

/* Multipart through DEALER/ROUTER keeps all frames after the envelope. */
static void routed(void *ctx, const char *tr) {
    char ep[256];
    void *router = tu_socket(ctx, ZMQ_ROUTER);
    void *dealer = tu_socket(ctx, ZMQ_DEALER);
    CHECK_OK(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "peer", 4));
    tu_bind(router, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(dealer, ep));
    tu_send_str(dealer, "1", ZMQ_SNDMORE);
    tu_send_str(dealer, "", ZMQ_SNDMORE);
    tu_send_str(dealer, "3", 0);
    tu_recv_expect(router, "peer", 1);
    tu_recv_expect(router, "1", 1);
    tu_recv_expect(router, "", 1);
    tu_recv_expect(router, "3", 0);
    tu_send_str(router, "peer", ZMQ_SNDMORE);
    tu_send_str(router, "x", ZMQ_SNDMORE);
    tu_send_str(router, "y", 0);
    tu_recv_expect(dealer, "x", 1);
    tu_recv_expect(dealer, "y", 0);
    tu_close(dealer);
    tu_close(router);
}

int main(void) {
    tu_init("test_multipart", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    for (int t = 0; t < TU_NTRANSPORTS; t++) {
        char what[64];
        frames(ctx, TU_TRANSPORTS[t]);
        routed(ctx, TU_TRANSPORTS[t]);
        snprintf(what, sizeof what, "multipart over %s", TU_TRANSPORTS[t]);
        TU_PASS(what);
    }
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
