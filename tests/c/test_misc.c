/*
 * Utility API: zmq_z85_encode/decode (RFC 32 test vector, bad lengths), zmq_atomic_counter_*
 * (new/set/inc/dec/value/destroy, and concurrent increments), zmq_has, zmq_version (4.3.x
 * and matching the header's ZMQ_VERSION), zmq_strerror (EFSM, ETERM, a system errno),
 * zmq_ctx_set/get, zmq_stopwatch_*, and the ABI sizes of zmq_msg_t and zmq_pollitem_t.
 */
#include "testutil.h"

#include <pthread.h>
#include <stddef.h>

static void z85(void) {
    /* RFC 32 (https://rfc.zeromq.org/spec/32/) test vector. */
    const uint8_t bin[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    memset(text, 'x', sizeof text);
    CHECK(zmq_z85_encode(text, bin, 8) == text);
    CHECK_EQ_STR(text, "HelloWorld");
    uint8_t back[8] = {0};
    CHECK(zmq_z85_decode(back, "HelloWorld") == back);
    CHECK(memcmp(back, bin, 8) == 0);

    /* A 32-byte key round trip (the size CURVE uses): 40 characters. */
    uint8_t key[32], key2[32];
    char key_text[41];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t) (i * 37 + 11);
    CHECK(zmq_z85_encode(key_text, key, 32) != NULL);
    CHECK_EQ_INT(strlen(key_text), 40);
    CHECK(zmq_z85_decode(key2, key_text) != NULL);
    CHECK(memcmp(key, key2, 32) == 0);

    /* Sizes must be multiples of 4 (binary) and 5 (text). */
    CHECK_NULL_ERR(zmq_z85_encode(text, bin, 7), EINVAL);
    uint8_t b4[4];
    CHECK(zmq_z85_decode(b4, "Hello") == b4);
    CHECK_NULL_ERR(zmq_z85_decode(back, "HelloWorl"), EINVAL);
}

static void *counter;

static void *incrementer(void *arg) {
    (void) arg;
    for (int i = 0; i < 10000; i++)
        zmq_atomic_counter_inc(counter);
    return NULL;
}

static void atomic_counter(void) {
    void *c = zmq_atomic_counter_new();
    CHECK(c != NULL);
    CHECK_EQ_INT(zmq_atomic_counter_value(c), 0);
    CHECK_EQ_INT(zmq_atomic_counter_inc(c), 0); /* returns the old value */
    CHECK_EQ_INT(zmq_atomic_counter_inc(c), 1);
    CHECK_EQ_INT(zmq_atomic_counter_value(c), 2);
    CHECK_EQ_INT(zmq_atomic_counter_dec(c), 1); /* 1: still above zero */
    CHECK_EQ_INT(zmq_atomic_counter_dec(c), 0); /* 0: reached zero */
    CHECK_EQ_INT(zmq_atomic_counter_value(c), 0);
    zmq_atomic_counter_set(c, 42);
    CHECK_EQ_INT(zmq_atomic_counter_value(c), 42);
    zmq_atomic_counter_destroy(&c);
    CHECK(c == NULL);

    counter = zmq_atomic_counter_new();
    CHECK(counter != NULL);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&th[i], NULL, incrementer, NULL) == 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ_INT(zmq_atomic_counter_value(counter), 40000);
    zmq_atomic_counter_destroy(&counter);
    CHECK(counter == NULL);
}

static void has_version_strerror(void) {
    CHECK_EQ_INT(zmq_has("ipc"), 1);
    CHECK_EQ_INT(zmq_has("no-such-capability"), 0);
    int major = -1, minor = -1, patch = -1;
    zmq_version(&major, &minor, &patch);
    printf("zmq_version: %d.%d.%d (header %d.%d.%d)\n", major, minor, patch,
           ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH);
    CHECK_EQ_INT(major, 4);
    CHECK_EQ_INT(minor, 3);
    CHECK(patch >= 4);
    CHECK_EQ_INT(ZMQ_MAKE_VERSION(major, minor, patch), ZMQ_VERSION);

    CHECK_EQ_STR(zmq_strerror(EFSM), "Operation cannot be accomplished in current state");
    CHECK_EQ_STR(zmq_strerror(ETERM), "Context was terminated");
    CHECK_EQ_STR(zmq_strerror(ENOCOMPATPROTO), "The protocol is not compatible with the socket type");
    CHECK_EQ_STR(zmq_strerror(EMTHREAD), "No thread available");
    CHECK_EQ_STR(zmq_strerror(EAGAIN), strerror(EAGAIN));
    CHECK_EQ_STR(zmq_strerror(EINVAL), strerror(EINVAL));
    errno = EHOSTUNREACH;
    CHECK_EQ_INT(zmq_errno(), EHOSTUNREACH);
}

static void ctx_options(void) {
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 1);
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS), 1023);
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_IPV6), 0);
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_BLOCKY), 1);
    CHECK_OK(zmq_ctx_set(ctx, ZMQ_IO_THREADS, 2));
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 2);
    CHECK_OK(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 64));
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS), 64);
    CHECK_OK(zmq_ctx_set(ctx, ZMQ_IPV6, 1));
    CHECK_EQ_INT(zmq_ctx_get(ctx, ZMQ_IPV6), 1);
    /* The context's IPV6 default is inherited by new sockets. */
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CHECK(s != NULL);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_IPV6), 1);
    CHECK_OK(zmq_close(s));
    CHECK_OK(zmq_ctx_term(ctx));

    /* The old API. */
    void *old = zmq_init(1);
    CHECK(old != NULL);
    s = zmq_socket(old, ZMQ_PUSH);
    CHECK(s != NULL);
    CHECK_OK(zmq_close(s));
    CHECK_OK(zmq_term(old));
    old = zmq_ctx_new();
    CHECK_OK(zmq_ctx_destroy(old));
}

static void stopwatch(void) {
    void *w = zmq_stopwatch_start();
    CHECK(w != NULL);
    tu_sleep_ms(20);
    unsigned long mid = zmq_stopwatch_intermediate(w);
    CHECK(mid >= 19000);
    unsigned long total = zmq_stopwatch_stop(w);
    CHECK(total >= mid);
}

int main(void) {
    tu_init("test_misc", 60);
    CHECK_EQ_INT(sizeof(zmq_msg_t), 64);
    CHECK(_Alignof(zmq_msg_t) >= _Alignof(void *));
    CHECK_EQ_INT(sizeof(zmq_pollitem_t), sizeof(void *) == 8 ? 16 : 12);
    CHECK_EQ_INT(offsetof(zmq_pollitem_t, fd), sizeof(void *));
    CHECK_EQ_INT(offsetof(zmq_pollitem_t, events), sizeof(void *) + sizeof(int));
    CHECK_EQ_INT(offsetof(zmq_pollitem_t, revents), sizeof(void *) + sizeof(int) + 2);
    TU_PASS("ABI sizes");
    z85();
    TU_PASS("z85");
    atomic_counter();
    TU_PASS("atomic counter");
    has_version_strerror();
    TU_PASS("zmq_has/zmq_version/zmq_strerror");
    ctx_options();
    TU_PASS("context options");
    stopwatch();
    TU_PASS("stopwatch");
    return 0;
}
