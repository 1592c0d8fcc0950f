/*
 * rawpeer.h: a raw ZMTP 3.1 peer for the C tests (plain sockets, NULL mechanism), used
 * where a test needs a peer that misbehaves in a way no libzmq socket can: one that never
 * reads, or that vanishes with data unread. Include after testutil.h.
 */
#ifndef FERROMQ_RAWPEER_H
#define FERROMQ_RAWPEER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

/* A blocking connection to `endpoint` (tcp://127.0.0.1:port or ipc://path). */
static TU_UNUSED int raw_connect(const char *endpoint) {
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
        CHECK(strncmp(endpoint, "ipc://", 6) == 0);
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
    struct timeval tv = {5, 0};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    return fd;
}

/* Reads exactly `n` bytes (fails the test on EOF, error or a 5 s timeout). */
static TU_UNUSED void raw_read_exactly(int fd, void *buf, size_t n) {
    size_t have = 0;
    while (have < n) {
        ssize_t r = recv(fd, (char *) buf + have, n - have, 0);
        if (r <= 0)
            TU_FAIL("raw peer: recv returned %zd after %zu of %zu bytes (errno %d)", r, have,
                    n, errno);
        have += (size_t) r;
    }
}

/* Connects and completes the NULL handshake as `type` (e.g. "SUB", "PULL"): sends the
 * greeting, reads the other side's, sends READY and reads its READY. */
static TU_UNUSED int raw_handshake(const char *endpoint, const char *type) {
    int fd = raw_connect(endpoint);
    unsigned char out[128];
    memset(out, 0, 64);
    out[0] = 0xff;
    out[9] = 0x7f;
    out[10] = 3;
    out[11] = 1;
    memcpy(out + 12, "NULL", 4);
    CHECK(send(fd, out, 64, MSG_NOSIGNAL) == 64);
    unsigned char in[300];
    raw_read_exactly(fd, in, 64);
    CHECK(in[0] == 0xff && in[10] == 3);
    size_t tlen = strlen(type);
    size_t body = 6 + 12 + 4 + tlen;
    size_t n = 0;
    out[n++] = 0x04;
    out[n++] = (unsigned char) body;
    memcpy(out + n, "\x05READY\x0bSocket-Type", 18);
    n += 18;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = (unsigned char) tlen;
    memcpy(out + n, type, tlen);
    n += tlen;
    CHECK(send(fd, out, n, MSG_NOSIGNAL) == (ssize_t) n);
    raw_read_exactly(fd, in, 2); /* the other READY: a short command frame */
    CHECK(in[0] == 0x04);
    raw_read_exactly(fd, in, in[1]);
    CHECK(memcmp(in, "\x05READY", 6) == 0);
    return fd;
}

#endif
