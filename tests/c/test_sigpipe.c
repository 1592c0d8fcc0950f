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

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define ROUNDS 150
#define MSG_SIZE (64 * 1024)

/* The NULL-mechanism greeting of a ZMTP 3.1 client, READY as a SUB, SUBSCRIBE "". */
static size_t sub_handshake(unsigned char *out) {
    size_t n = 0;
    memset(out, 0, 64);
    out[0] = 0xff;
    out[9] = 0x7f;
    out[10] = 3;
    out[11] = 1;
    memcpy(out + 12, "NULL", 4);
    n = 64;
    static const unsigned char ready[] = {0x04, 0x19, 0x05, 'R', 'E', 'A', 'D', 'Y', 0x0b,
                                          'S',  'o',  'c',  'k', 'e', 't', '-', 'T', 'y',
                                          'p',  'e',  0,    0,   0,   3,   'S', 'U', 'B'};
    memcpy(out + n, ready, sizeof ready);
    n += sizeof ready;
    static const unsigned char subscribe[] = {0x04, 0x0a, 0x09, 'S', 'U', 'B',
                                              'S',  'C',  'R',  'I', 'B', 'E'};
    memcpy(out + n, subscribe, sizeof subscribe);
    return n + sizeof subscribe;
}

/* A raw connection to `endpoint` (tcp://127.0.0.1:port or ipc://path). */
static int raw_connect(const char *endpoint) {
    int fd;
    if (strncmp(endpoint, "tcp://", 6) == 0) {
        const char *port = strrchr(endpoint, ':');
        CHECK(port != NULL);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t) atoi(port + 1));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(fd >= 0);
        CHECK(connect(fd, (struct sockaddr *) &a, sizeof a) == 0);
    } else {
        struct sockaddr_un a;
        memset(&a, 0, sizeof a);
        a.sun_family = AF_UNIX;
        size_t len = strlen(endpoint + 6);
        CHECK(len < sizeof a.sun_path);
        memcpy(a.sun_path, endpoint + 6, len + 1);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK(fd >= 0);
        CHECK(connect(fd, (struct sockaddr *) &a, sizeof a) == 0);
    }
    return fd;
}

static void storm(void *ctx, const char *transport) {
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    CHECK(pub != NULL);
    int linger = 0;
    CHECK_OK(zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger));
    char ep[256];
    tu_bind(pub, transport, ep, sizeof ep);
    static char payload[MSG_SIZE];
    memset(payload, 'p', sizeof payload);
    unsigned char hs[128];
    size_t hs_len = sub_handshake(hs);

    for (int round = 0; round < ROUNDS; round++) {
        int fd = raw_connect(ep);
        /* The greeting first; READY and SUBSCRIBE once the PUB's greeting is here. */
        CHECK(send(fd, hs, 64, MSG_NOSIGNAL) == 64);
        unsigned char greeting[64];
        size_t have = 0;
        while (have < 64) {
            ssize_t n = recv(fd, greeting + have, 64 - have, 0);
            if (n <= 0)
                TU_FAIL("%s: no greeting from the PUB (round %d)", transport, round);
            have += (size_t) n;
        }
        CHECK(send(fd, hs + 64, hs_len - 64, MSG_NOSIGNAL) == (ssize_t) (hs_len - 64));
        /* Publish until this subscriber has received data, so it is surely subscribed
         * (READY is 27 bytes; a frame header follows). */
        struct timeval tv = {0, 20000};
        CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
        int64_t deadline = tu_now_ms() + 5000;
        size_t got = 0;
        while (got < 27 + 1024) {
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
        tu_sleep_ms(2); /* let the I/O thread write into the dead connection */
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
