/*
 * compat_check: built once with `-lzmq` against Debian's libzmq, then run twice by
 * tests/c/run.sh: as is, and with LD_LIBRARY_PATH=$PREFIX/lib/ferromq-compat, where the
 * dynamic loader must pick ferromq's libzmq.so.5 instead.
 *
 *   compat_check --expect libzmq|ferromq
 *
 * It reports which shared object provides zmq_version (from /proc/self/maps), checks it is
 * the expected one, then runs a small workload (REQ/REP over tcp and inproc, PUB/SUB,
 * zero-copy messages, zmq_poll) to show the binary works unchanged on that library.
 */
#include "testutil.h"

static int contains(const char *haystack, const char *needle) {
    return strstr(haystack, needle) != NULL;
}

/* The path of the mapped file that contains `addr`, or "" if none. */
static void mapping_of(const void *addr, char *path, size_t len) {
    path[0] = '\0';
    FILE *f = fopen("/proc/self/maps", "r");
    CHECK(f != NULL);
    char line[1024];
    uintptr_t a = (uintptr_t) addr;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        int off = 0;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &off) < 2 || off == 0)
            continue;
        if (a >= lo && a < hi) {
            char *p = line + off;
            p[strcspn(p, "\n")] = '\0';
            snprintf(path, len, "%s", p);
            break;
        }
    }
    fclose(f);
}

static int frees;
static void free_fn(void *data, void *hint) {
    (void) data;
    (void) hint;
    frees++;
}

static void workload(void) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    for (int t = 0; t < TU_NTRANSPORTS; t++) {
        char ep[256];
        void *rep = tu_socket(ctx, ZMQ_REP);
        void *req = tu_socket(ctx, ZMQ_REQ);
        tu_bind(rep, TU_TRANSPORTS[t], ep, sizeof ep);
        CHECK_OK(zmq_connect(req, ep));
        for (int i = 0; i < 5; i++) {
            tu_send_str(req, "Hello", 0);
            zmq_pollitem_t it = {rep, 0, ZMQ_POLLIN, 0};
            CHECK_EQ_INT(zmq_poll(&it, 1, 5000), 1);
            tu_recv_expect(rep, "Hello", 0);
            tu_send_str(rep, "World", 0);
            tu_recv_expect(req, "World", 0);
        }
        tu_close(req);
        tu_close(rep);
    }

    char ep[256];
    void *pub = tu_socket(ctx, ZMQ_PUB);
    void *sub = tu_socket(ctx, ZMQ_SUB);
    tu_bind(pub, "tcp", ep, sizeof ep);
    CHECK_OK(zmq_connect(sub, ep));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "A", 1));
    int got = 0;
    for (int i = 0; i < 400 && !got; i++) {
        tu_send_str(pub, "B no", 0);
        tu_send_str(pub, "A yes", 0);
        if (tu_wait_readable(sub, 25)) {
            tu_recv_expect(sub, "A yes", 0);
            got = 1;
        }
    }
    CHECK(got);

    static char data[] = "zero-copy data, long enough not to be inlined";
    void *pull = tu_socket(ctx, ZMQ_PULL);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(pull, "inproc", ep, sizeof ep);
    CHECK_OK(zmq_connect(push, ep));
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init_data(&m, data, sizeof data, free_fn, NULL));
    CHECK_EQ_INT(zmq_msg_send(&m, push, 0), sizeof data);
    CHECK_OK(zmq_msg_init(&m));
    CHECK_EQ_INT(zmq_msg_recv(&m, pull, 0), sizeof data);
    CHECK_MEM(zmq_msg_data(&m), zmq_msg_size(&m), data, sizeof data);
    CHECK_OK(zmq_msg_close(&m));
    CHECK_EQ_INT(frees, 1);

    CHECK_ERR(zmq_recv(NULL, ep, 1, 0), ENOTSOCK);
    CHECK_EQ_STR(zmq_strerror(EFSM), "Operation cannot be accomplished in current state");

    tu_close(push);
    tu_close(pull);
    tu_close(sub);
    tu_close(pub);
    CHECK_OK(zmq_ctx_term(ctx));
}

int main(int argc, char **argv) {
    tu_init("compat_check", 60);
    const char *expect = NULL;
    if (argc == 3 && strcmp(argv[1], "--expect") == 0)
        expect = argv[2];
    if (expect == NULL || (strcmp(expect, "libzmq") != 0 && strcmp(expect, "ferromq") != 0)) {
        fprintf(stderr, "usage: compat_check --expect libzmq|ferromq\n");
        return 2;
    }
    char path[512];
    mapping_of((const void *) (uintptr_t) &zmq_version, path, sizeof path);
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("compat_check: zmq_version %d.%d.%d (compiled against header %d.%d.%d)\n", major,
           minor, patch, ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH);
    printf("compat_check: zmq_version provided by %s\n", path[0] ? path : "(unknown)");
    if (path[0] == '\0')
        TU_FAIL("cannot find the library providing zmq_version in /proc/self/maps");
    if (strcmp(expect, "ferromq") == 0) {
        if (!contains(path, "ferromq"))
            TU_FAIL("expected ferromq, but zmq_version comes from %s", path);
    } else {
        if (contains(path, "ferromq") || !contains(path, "libzmq.so"))
            TU_FAIL("expected Debian's libzmq, but zmq_version comes from %s", path);
    }
    workload();
    printf("compat_check: OK (%s)\n", expect);
    return 0;
}
