/*
 * SIGPIPE (issue 11, item 2): a C program keeps SIGPIPE's default disposition (terminate),
 * so a library write to a connection whose peer has gone must never raise it.
 *
 * A PUB (tcp and ipc) publishes 64 KiB messages while short-lived raw subscribers
 * connect, complete the ZMTP handshake as SUB, subscribe to everything, read a little and
 * vanish (tcp: with an RST, SO_LINGER 0; ipc: closing with unread data). The PUB's next
 * writes to each of them fail with EPIPE/ECONNRESET. The program must survive every round
 * and the PUB must still deliver to a real SUB afterwards.
 */
#include "testutil.h"

#include "rawpeer.h"

#define ROUNDS 150
#define MSG_SIZE (64 * 1024)

static void storm(void *ctx, const char *transport) {
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    CHECK(pub != NULL);
    int linger = 0;
    CHECK_OK(zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger));
    char ep[256];
    tu_bind(pub, transport, ep, sizeof ep);
    static char payload[MSG_SIZE];
    memset(payload, 'p', sizeof payload);
    for (int round = 0; round < ROUNDS; round++) {
        int fd = raw_handshake(ep, "SUB");
        static const unsigned char subscribe[] = {0x04, 0x0a, 0x09, 'S', 'U', 'B',
                                                  'S',  'C',  'R',  'I', 'B', 'E'};
        CHECK(send(fd, subscribe, sizeof subscribe, MSG_NOSIGNAL) == sizeof subscribe);
        /* Publish until this subscriber has received data: it is surely subscribed. */
        struct timeval tv = {0, 20000};
        CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
        int64_t deadline = tu_now_ms() + 5000;
        size_t got = 0;
        while (got < 1024) {
            zmq_send(pub, payload, sizeof payload, ZMQ_DONTWAIT);
            unsigned char buf[4096];
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n == 0)
                TU_FAIL("%s: the PUB closed raw subscriber %d", transport, round);
            if (n > 0)
                got += (size_t) n;
            if (tu_now_ms() > deadline)
                TU_FAIL("%s: raw subscriber %d got %zu bytes in 5 s", transport, round, got);
        }
        if (strcmp(transport, "tcp") == 0) {
            struct linger l = {1, 0};
            CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
        }
        close(fd); /* with data still unread: the PUB's next writes fail */
        for (int i = 0; i < 8; i++)
            zmq_send(pub, payload, sizeof payload, ZMQ_DONTWAIT);
        tu_sleep_ms(2); /* pace the rounds: the writes into the dead one happen now */
    }

    /* The PUB still works: a real subscriber gets a message. */
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    CHECK(sub != NULL);
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0));
    int timeout = 100;
    CHECK_OK(zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger));
    CHECK_OK(zmq_connect(sub, ep));
    char buf[16];
    int got = -1;
    for (int i = 0; i < 100 && got < 0; i++) {
        CHECK_OK(zmq_send(pub, "alive", 5, 0));
        got = zmq_recv(sub, buf, sizeof buf, 0);
    }
    CHECK_EQ_INT(got, 5);
    CHECK_OK(zmq_close(sub));
    CHECK_OK(zmq_close(pub));
    printf("test_sigpipe: ok: %s, %d subscribers vanished mid-write\n", transport, ROUNDS);
}

int main(void) {
    tu_init("test_sigpipe", 80);
    /* The default disposition, whatever the environment set: SIGPIPE terminates. */
    signal(SIGPIPE, SIG_DFL);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    storm(ctx, "ipc");
    storm(ctx, "tcp");
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
