/*
 * zmq_msg_t lifetimes and accessors:
 * - zmq_msg_init / init_size (write the data, then send) / init_data (zero copy);
 * - the zmq_msg_init_data free function is called exactly once, with (data, hint), and only
 *   once every reference is gone: after close without send; after send + the receiver
 *   closing its copy (inproc, for large and small buffers alike); eventually after send over tcp and ipc;
 * - zmq_msg_copy shares content (free called once, after both are closed);
 * - zmq_msg_move leaves the source empty;
 * - zmq_msg_size/data/more, zmq_msg_get(ZMQ_MORE), zmq_msg_gets("Socket-Type") over tcp;
 * - a message is empty after a successful zmq_msg_send.
 */
#include "testutil.h"

#include <stdatomic.h>

static atomic_int freed;
static void *volatile freed_data;
static void *volatile freed_hint;

static void free_fn(void *data, void *hint) {
    freed_data = data;
    freed_hint = hint;
    atomic_fetch_add(&freed, 1);
}

static char payload[] = "zero-copy payload that is definitely longer than a VSM";
static int hint_obj;

static void expect_freed(int n) {
    CHECK_EQ_INT(atomic_load(&freed), n);
    if (n > 0) {
        CHECK(freed_data == payload);
        CHECK(freed_hint == &hint_obj);
    }
}

/* Waits (bounded) until the free function has run `n` times in all. */
static void wait_freed(int n) {
    int64_t deadline = tu_now_ms() + 5000;
    while (atomic_load(&freed) < n && tu_now_ms() < deadline)
        tu_sleep_ms(5);
    expect_freed(n);
}

static void init_data_lifetimes(void *ctx) {
    size_t plen = sizeof payload - 1;
    int expected = 0;

    /* Closed without being sent: freed synchronously by zmq_msg_close. */
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init_data(&m, payload, plen, free_fn, &hint_obj));
    CHECK(zmq_msg_data(&m) == payload); /* zero copy */
    CHECK_EQ_INT(zmq_msg_size(&m), plen);
    expect_freed(expected);
    CHECK_OK(zmq_msg_close(&m));
    expect_freed(++expected);

    /* A NULL free function is allowed (the caller keeps ownership). */
    CHECK_OK(zmq_msg_init_data(&m, payload, plen, NULL, NULL));
    CHECK_OK(zmq_msg_close(&m));
    expect_freed(expected);

    /* Copy shares the buffer: freed once, after both are closed. */
    zmq_msg_t copy;
    CHECK_OK(zmq_msg_init_data(&m, payload, plen, free_fn, &hint_obj));
    CHECK_OK(zmq_msg_init(&copy));
    CHECK_OK(zmq_msg_copy(&copy, &m));
    CHECK_EQ_INT(zmq_msg_size(&copy), plen);
    CHECK(zmq_msg_data(&copy) == payload);
    CHECK_OK(zmq_msg_close(&m));
    expect_freed(expected);
    CHECK_MEM(zmq_msg_data(&copy), zmq_msg_size(&copy), payload, plen);
    CHECK_OK(zmq_msg_close(&copy));
    expect_freed(++expected);

    /* Move transfers ownership: closing the (now empty) source frees nothing. */
    zmq_msg_t dst;
    CHECK_OK(zmq_msg_init_data(&m, payload, plen, free_fn, &hint_obj));
    CHECK_OK(zmq_msg_init(&dst));
    CHECK_OK(zmq_msg_move(&dst, &m));
    CHECK_EQ_INT(zmq_msg_size(&m), 0);
    CHECK_EQ_INT(zmq_msg_size(&dst), plen);
    CHECK_OK(zmq_msg_close(&m));
    expect_freed(expected);
    CHECK_OK(zmq_msg_close(&dst));
    expect_freed(++expected);

    /* Sent over inproc: the receiver gets the same buffer; freed only when the received
     * message is closed. Also for a small buffer (9 bytes, as pyzmq's MessageTracker test
     * sends): libzmq never copies zmq_msg_init_data's buffer into a small message, and
     * pyzmq's zero-copy tracking relies on the free function meaning "delivered". */
    for (int small = 0; small < 2; small++) {
        size_t n = small ? 9 : plen;
        char ep[256];
        void *pull = tu_socket(ctx, ZMQ_PULL);
        void *push = tu_socket(ctx, ZMQ_PUSH);
        tu_bind(pull, "inproc", ep, sizeof ep);
        CHECK_OK(zmq_connect(push, ep));
        CHECK_OK(zmq_msg_init_data(&m, payload, n, free_fn, &hint_obj));
        CHECK_EQ_INT(zmq_msg_send(&m, push, 0), n);
        CHECK_EQ_INT(zmq_msg_size(&m), 0); /* emptied by the send */
        CHECK_OK(zmq_msg_close(&m));       /* closing the sent msg frees nothing */
        expect_freed(expected);
        zmq_msg_t r;
        CHECK_OK(zmq_msg_init(&r));
        CHECK_EQ_INT(zmq_msg_recv(&r, pull, 0), n);
        CHECK_MEM(zmq_msg_data(&r), zmq_msg_size(&r), payload, n);
        expect_freed(expected);
        CHECK_OK(zmq_msg_close(&r));
        expect_freed(++expected);
        tu_close(push);
        tu_close(pull);
    }

    /* Sent over tcp and ipc: freed exactly once after the send (by whichever thread
     * finished with it), and the data arrives intact. */
    for (int t = 0; t < 2; t++) {
        char ep[256];
        void *pull = tu_socket(ctx, ZMQ_PULL);
        void *push = tu_socket(ctx, ZMQ_PUSH);
        tu_bind(pull, TU_TRANSPORTS[t], ep, sizeof ep);
        CHECK_OK(zmq_connect(push, ep));
        CHECK_OK(zmq_msg_init_data(&m, payload, plen, free_fn, &hint_obj));
        CHECK_EQ_INT(zmq_msg_send(&m, push, 0), plen);
        CHECK_OK(zmq_msg_close(&m));
        char buf[128];
        CHECK_EQ_INT(zmq_recv(pull, buf, sizeof buf, 0), plen);
        CHECK_MEM(buf, plen, payload, plen);
        wait_freed(++expected);
        tu_close(push);
        tu_close(pull);
    }

    /* Never sent, socket closed, still freed exactly once by close. */
    CHECK_OK(zmq_msg_init_data(&m, payload, plen, free_fn, &hint_obj));
    CHECK_OK(zmq_msg_close(&m));
    expect_freed(++expected);
}

static void sizes_and_data(void *ctx) {
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init(&m));
    CHECK_EQ_INT(zmq_msg_size(&m), 0);
    CHECK_EQ_INT(zmq_msg_more(&m), 0);
    CHECK_OK(zmq_msg_close(&m));

    /* init_size, write the data in place, send. */
    char ep[256];
    void *pull = tu_socket(ctx, ZMQ_PULL);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(pull, "tcp", ep, sizeof ep);
    CHECK_OK(zmq_connect(push, ep));
    size_t sizes[] = {0, 1, 29, 30, 33, 255, 256, 4096, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        CHECK_OK(zmq_msg_init_size(&m, n));
        CHECK_EQ_INT(zmq_msg_size(&m), n);
        unsigned char *d = zmq_msg_data(&m);
        for (size_t j = 0; j < n; j++)
            d[j] = (unsigned char) (j ^ n);
        CHECK_EQ_INT(zmq_msg_send(&m, push, 0), (int) n);
        CHECK_OK(zmq_msg_close(&m));
        zmq_msg_t r;
        CHECK_OK(zmq_msg_init(&r));
        CHECK_EQ_INT(zmq_msg_recv(&r, pull, 0), (int) n);
        CHECK_EQ_INT(zmq_msg_size(&r), n);
        const unsigned char *rd = zmq_msg_data(&r);
        for (size_t j = 0; j < n; j++)
            if (rd[j] != (unsigned char) (j ^ n))
                TU_FAIL("size %zu: byte %zu differs", n, j);
        CHECK_EQ_INT(zmq_msg_more(&r), 0);
        /* Over tcp the ZMTP metadata is attached to received messages. */
        const char *st = zmq_msg_gets(&r, "Socket-Type");
        CHECK(st != NULL);
        CHECK_EQ_STR(st, "PUSH");
        CHECK_OK(zmq_msg_close(&r));
    }

    /* Copy of a received message: same bytes, independent lifetimes. */
    tu_send_str(push, "copy me", 0);
    zmq_msg_t r, c, mv;
    CHECK_OK(zmq_msg_init(&r));
    CHECK_OK(zmq_msg_init(&c));
    CHECK_OK(zmq_msg_init(&mv));
    CHECK_EQ_INT(zmq_msg_recv(&r, pull, 0), 7);
    CHECK_OK(zmq_msg_copy(&c, &r));
    CHECK_OK(zmq_msg_close(&r));
    CHECK_MEM(zmq_msg_data(&c), zmq_msg_size(&c), "copy me", 7);
    CHECK_OK(zmq_msg_move(&mv, &c));
    CHECK_EQ_INT(zmq_msg_size(&c), 0);
    CHECK_MEM(zmq_msg_data(&mv), zmq_msg_size(&mv), "copy me", 7);
    /* A moved-into message can be sent. */
    CHECK_EQ_INT(zmq_msg_send(&mv, push, 0), 7);
    tu_recv_expect(pull, "copy me", 0);
    CHECK_OK(zmq_msg_close(&c));
    CHECK_OK(zmq_msg_close(&mv));

    /* init_size copies nothing in: the application owns the bytes; close after init works
     * without a send. */
    CHECK_OK(zmq_msg_init_size(&m, 1000));
    memset(zmq_msg_data(&m), 'x', 1000);
    CHECK_OK(zmq_msg_close(&m));

    tu_close(push);
    tu_close(pull);
}

int main(void) {
    tu_init("test_msg", 60);
    CHECK(sizeof(zmq_msg_t) == 64);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    init_data_lifetimes(ctx);
    TU_PASS("zmq_msg_init_data free function lifetimes");
    sizes_and_data(ctx);
    TU_PASS("init_size/copy/move/size/data/more/gets");
    CHECK_OK(zmq_ctx_term(ctx));
    /* Nothing ran the free function again during shutdown. */
    CHECK_EQ_INT(atomic_load(&freed), 8);
    return 0;
}
