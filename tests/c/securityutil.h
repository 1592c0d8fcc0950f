/*
 * securityutil.h: what the tests/c/test_security_*.c programs share.
 *
 * - A ZAP handler (RFC 27) on its own thread: a REP or ROUTER socket bound at
 *   inproc://zeromq.zap.01 in the test's context. It records every request (version,
 *   request id, domain, address, routing id, mechanism, credentials) and answers by a
 *   policy: PLAIN credentials or a CURVE client key to accept (others get 400), the status
 *   to give accepted peers (200 by default, or 300/500, or a malformed reply), the user id
 *   and ZAP metadata to return, or closing without replying at all.
 * - Handshake monitors: a PAIR reading the HANDSHAKE_* events of a socket, with timeouts.
 * - Checks that a message crosses a connection (and its properties), or that it does not.
 *
 * Include after testutil.h. Uses only libzmq's stable API plus ZMQ_ZAP_ENFORCE_DOMAIN (a
 * DRAFT option in zmq.h 4.3.4 that Debian's libzmq, built with drafts, accepts).
 */
#ifndef FERROMQ_SECURITYUTIL_H
#define FERROMQ_SECURITYUTIL_H

#include "testutil.h"

#include <pthread.h>

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define SEC_ZAP_ENDPOINT "inproc://zeromq.zap.01"
/* The handshake events every monitor here reports. */
#define SEC_EVENTS                                                                      \
    (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |              \
     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
/* How long a condition that must happen may take. */
#define SEC_WAIT_MS 5000
/* How long a message that must not arrive is waited for. */
#define SEC_ABSENT_MS 300

/* How the handler answers the requests it accepts. */
enum sec_reply {
    SEC_REPLY_OK,          /* the status in `status` (default "200") */
    SEC_REPLY_BAD_VERSION, /* version "2.0" */
    SEC_REPLY_BAD_ID,      /* a request id that is not the request's */
    SEC_REPLY_CLOSE,       /* take the request, then close the handler socket unanswered */
    SEC_REPLY_NONE,        /* take the request and never answer it */
};

#define SEC_FIELD 128
#define SEC_MAX_FRAMES 12

typedef struct {
    /* ---- policy (set before sec_zap_start) */
    int type;               /* ZMQ_REP (default) or ZMQ_ROUTER */
    enum sec_reply reply;
    const char *status;     /* for accepted requests; NULL = "200" */
    const char *user_id;    /* NULL = the PLAIN user name, or "anonymous" */
    const char *metadata;   /* ZAP metadata frame, metadata_len bytes */
    size_t metadata_len;
    const char *plain_user; /* PLAIN: only this user/password is accepted (if set) */
    const char *plain_pass;
    const char *curve_key;  /* CURVE: only this Z85 client public key is accepted */
    const char *deny_domain; /* requests for this domain get 400 */
    /* ---- what it saw (read under `lock`, or after sec_zap_stop) */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int requests;
    int closed; /* SEC_REPLY_CLOSE: the handler socket is closed */
    int nframes;
    char frames[SEC_MAX_FRAMES][SEC_FIELD]; /* the last request (NUL-terminated copies) */
    size_t lens[SEC_MAX_FRAMES];
    /* ---- internals */
    void *sock, *control_main, *control_thread;
    pthread_t thread;
} sec_zap_t;

/* Request frames (RFC 27). */
enum { ZAP_VERSION, ZAP_ID, ZAP_DOMAIN, ZAP_ADDRESS, ZAP_ROUTING_ID, ZAP_MECHANISM, ZAP_CRED };

static int sec_frame_is(const sec_zap_t *h, int i, const char *s) {
    return i < h->nframes && h->lens[i] == strlen(s) && memcmp(h->frames[i], s, h->lens[i]) == 0;
}

/* Whether the last request's credentials pass the policy. */
static int sec_accepts(const sec_zap_t *h) {
    if (h->deny_domain != NULL && sec_frame_is(h, ZAP_DOMAIN, h->deny_domain))
        return 0;
    if (sec_frame_is(h, ZAP_MECHANISM, "PLAIN") && h->plain_user != NULL)
        return sec_frame_is(h, ZAP_CRED, h->plain_user) &&
               sec_frame_is(h, ZAP_CRED + 1, h->plain_pass);
    if (sec_frame_is(h, ZAP_MECHANISM, "CURVE") && h->curve_key != NULL) {
        char z85[41];
        if (h->nframes <= ZAP_CRED || h->lens[ZAP_CRED] != 32)
            return 0;
        CHECK(zmq_z85_encode(z85, (const uint8_t *) h->frames[ZAP_CRED], 32) != NULL);
        return strcmp(z85, h->curve_key) == 0;
    }
    return 1;
}

static void sec_send(void *s, const void *data, size_t len, int more) {
    if (zmq_send(s, data, len, more ? ZMQ_SNDMORE : 0) != (int) len)
        TU_FAIL("ZAP handler: send: %s", zmq_strerror(zmq_errno()));
}

/* Serves one request on the handler socket (readable). */
static void sec_serve(sec_zap_t *h) {
    char envelope[4][SEC_FIELD];
    size_t envelope_len[4];
    int nenv = 0, more = 1;
    if (h->type == ZMQ_ROUTER) {
        /* Routing id(s) up to the empty delimiter, as a REQ-style peer sends them. */
        while (more) {
            CHECK(nenv < 4);
            int n = zmq_recv(h->sock, envelope[nenv], SEC_FIELD, 0);
            CHECK(n >= 0 && n <= SEC_FIELD);
            envelope_len[nenv++] = (size_t) n;
            more = tu_get_int(h->sock, ZMQ_RCVMORE);
            if (n == 0)
                break;
        }
        CHECK(more);
    }
    pthread_mutex_lock(&h->lock);
    h->nframes = 0;
    for (more = 1; more;) {
        CHECK(h->nframes < SEC_MAX_FRAMES);
        int n = zmq_recv(h->sock, h->frames[h->nframes], SEC_FIELD - 1, 0);
        CHECK(n >= 0 && n < SEC_FIELD);
        h->frames[h->nframes][n] = '\0';
        h->lens[h->nframes++] = (size_t) n;
        more = tu_get_int(h->sock, ZMQ_RCVMORE);
    }
    h->requests++;
    int ok = sec_accepts(h);
    char id[SEC_FIELD];
    size_t id_len = h->lens[ZAP_ID];
    memcpy(id, h->frames[ZAP_ID], id_len);
    const char *user = h->user_id;
    char plain_user[SEC_FIELD];
    if (user == NULL && sec_frame_is(h, ZAP_MECHANISM, "PLAIN")) {
        memcpy(plain_user, h->frames[ZAP_CRED], h->lens[ZAP_CRED] + 1);
        user = plain_user;
    }
    if (user == NULL)
        user = "anonymous";
    if (h->reply == SEC_REPLY_CLOSE) {
        /* Unbind first: libzmq frees an inproc name only when the close completes. */
        CHECK_OK(zmq_unbind(h->sock, SEC_ZAP_ENDPOINT));
        tu_close(h->sock);
        h->sock = NULL;
        h->closed = 1;
    }
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    if (h->reply == SEC_REPLY_CLOSE || h->reply == SEC_REPLY_NONE)
        return;

    for (int i = 0; i < nenv; i++)
        sec_send(h->sock, envelope[i], envelope_len[i], 1);
    sec_send(h->sock, h->reply == SEC_REPLY_BAD_VERSION ? "2.0" : "1.0", 3, 1);
    if (h->reply == SEC_REPLY_BAD_ID)
        sec_send(h->sock, "not-the-id", 10, 1);
    else
        sec_send(h->sock, id, id_len, 1);
    const char *status = ok ? (h->status ? h->status : "200") : "400";
    sec_send(h->sock, status, strlen(status), 1);
    sec_send(h->sock, ok ? "OK" : "Denied", ok ? 2 : 6, 1);
    sec_send(h->sock, ok ? user : "", ok ? strlen(user) : 0, 1);
    sec_send(h->sock, ok && h->metadata ? h->metadata : "", ok ? h->metadata_len : 0, 0);
}

static void *sec_zap_main(void *arg) {
    sec_zap_t *h = arg;
    for (;;) {
        zmq_pollitem_t items[2] = {{h->control_thread, 0, ZMQ_POLLIN, 0},
                                   {h->sock, 0, ZMQ_POLLIN, 0}};
        /* Bounded by the test's watchdog; the main thread always sends STOP. */
        if (zmq_poll(items, h->sock ? 2 : 1, -1) < 0)
            TU_FAIL("ZAP handler: zmq_poll: %s", zmq_strerror(zmq_errno()));
        if (items[0].revents & ZMQ_POLLIN)
            break;
        if (h->sock != NULL && (items[1].revents & ZMQ_POLLIN))
            sec_serve(h);
    }
    return NULL;
}

/* Binds the handler (policy fields already set in *h) and starts its thread. */
static TU_UNUSED void sec_zap_start(void *ctx, sec_zap_t *h) {
    static int n = 0;
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://sec-zap-control-%d", ++n);
    if (h->type == 0)
        h->type = ZMQ_REP;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->changed, NULL);
    h->sock = tu_socket(ctx, h->type);
    CHECK_OK(zmq_bind(h->sock, SEC_ZAP_ENDPOINT));
    h->control_main = tu_socket(ctx, ZMQ_PAIR);
    h->control_thread = tu_socket(ctx, ZMQ_PAIR);
    CHECK_OK(zmq_bind(h->control_main, ep));
    CHECK_OK(zmq_connect(h->control_thread, ep));
    CHECK(pthread_create(&h->thread, NULL, sec_zap_main, h) == 0);
}

/* Stops the thread and closes (unbinds) the handler. */
static TU_UNUSED void sec_zap_stop(sec_zap_t *h) {
    tu_send_str(h->control_main, "STOP", 0);
    CHECK(pthread_join(h->thread, NULL) == 0);
    if (h->sock != NULL) {
        CHECK_OK(zmq_unbind(h->sock, SEC_ZAP_ENDPOINT));
        tu_close(h->sock);
    }
    tu_close(h->control_main);
    tu_close(h->control_thread);
    pthread_cond_destroy(&h->changed);
    pthread_mutex_destroy(&h->lock);
}

/* Waits until the handler has seen `n` requests (and, with SEC_REPLY_CLOSE, closed). */
static TU_UNUSED void sec_zap_wait(sec_zap_t *h, int n) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SEC_WAIT_MS / 1000;
    pthread_mutex_lock(&h->lock);
    while (h->requests < n || (h->reply == SEC_REPLY_CLOSE && !h->closed)) {
        if (pthread_cond_timedwait(&h->changed, &h->lock, &until) != 0)
            TU_FAIL("ZAP handler: %d requests after %d ms, expected %d", h->requests,
                    SEC_WAIT_MS, n);
    }
    pthread_mutex_unlock(&h->lock);
}

static TU_UNUSED int sec_zap_requests(sec_zap_t *h) {
    pthread_mutex_lock(&h->lock);
    int n = h->requests;
    pthread_mutex_unlock(&h->lock);
    return n;
}

/* ------------------------------------------------------------------ monitors */

/* A PAIR reading `s`'s handshake events (RCVTIMEO set per read). */
static TU_UNUSED void *sec_monitor(void *ctx, void *s) {
    static int n = 0;
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://sec-monitor-%d", ++n);
    CHECK_OK(zmq_socket_monitor(s, ep, SEC_EVENTS));
    void *mon = tu_socket(ctx, ZMQ_PAIR);
    CHECK_OK(zmq_connect(mon, ep));
    return mon;
}

/* The next event within `ms` (value in *value), or -1. */
static TU_UNUSED int sec_next_event(void *mon, uint32_t *value, int ms) {
    tu_set_int(mon, ZMQ_RCVTIMEO, ms);
    zmq_msg_t m;
    CHECK_OK(zmq_msg_init(&m));
    if (zmq_msg_recv(&m, mon, 0) == -1) {
        CHECK(zmq_errno() == EAGAIN);
        zmq_msg_close(&m);
        return -1;
    }
    CHECK_EQ_INT(zmq_msg_size(&m), 6);
    uint16_t event;
    memcpy(&event, zmq_msg_data(&m), 2);
    memcpy(value, (const uint8_t *) zmq_msg_data(&m) + 2, 4);
    CHECK_OK(zmq_msg_close(&m));
    CHECK_OK(zmq_msg_init(&m));
    CHECK(zmq_msg_recv(&m, mon, 0) >= 0); /* the endpoint */
    CHECK_OK(zmq_msg_close(&m));
    return event;
}

/* The next event must be `event` with `value` (any value if `value` is -1). */
#define sec_expect(mon, event, value) sec_expect_at(__LINE__, mon, event, value)
static TU_UNUSED void sec_expect_at(int line, void *mon, int event, long long value) {
    uint32_t got_value = 0;
    int got = sec_next_event(mon, &got_value, SEC_WAIT_MS);
    if (got != event || (value != -1 && got_value != (uint32_t) value))
        TU_FAIL("line %d: monitor event 0x%x value %u (0x%x), expected 0x%x value %lld (0x%llx)",
                line, got, got_value, got_value, event, value, value);
}

/* The client's view of a server that closed without a word (ZAP 300, no reply, a failed
 * handshake on its side): HANDSHAKE_FAILED_NO_DETAIL with EPIPE, or ECONNRESET when the
 * close raced our own write. */
#define sec_expect_dropped(mon) sec_expect_dropped_at(__LINE__, mon)
static TU_UNUSED void sec_expect_dropped_at(int line, void *mon) {
    uint32_t v = 0;
    int got = sec_next_event(mon, &v, SEC_WAIT_MS);
    if (got != ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL || (v != EPIPE && v != ECONNRESET))
        TU_FAIL("line %d: monitor event 0x%x value %u, expected HANDSHAKE_FAILED_NO_DETAIL "
                "with EPIPE or ECONNRESET", line, got, v);
}

/* No event within `ms`. */
#define sec_expect_quiet(mon, ms) sec_expect_quiet_at(__LINE__, mon, ms)
static TU_UNUSED void sec_expect_quiet_at(int line, void *mon, int ms) {
    uint32_t v = 0;
    int got = sec_next_event(mon, &v, ms);
    if (got != -1)
        TU_FAIL("line %d: unexpected monitor event 0x%x value %u (0x%x)", line, got, v, v);
}

/* ------------------------------------------------------------------ traffic */

/* A DEALER with bounded calls and LINGER 0. */
static TU_UNUSED void *sec_dealer(void *ctx) {
    void *s = tu_socket(ctx, ZMQ_DEALER);
    tu_set_int(s, ZMQ_LINGER, 0);
    return s;
}

static TU_UNUSED void sec_set_str(void *s, int option, const char *value) {
    if (zmq_setsockopt(s, option, value, strlen(value)) != 0)
        TU_FAIL("zmq_setsockopt(%d, \"%s\"): %s", option, value, zmq_strerror(zmq_errno()));
}

/* `from` sends "hello", `to` receives it; *m holds the message (close it). */
static TU_UNUSED void sec_cross(void *from, void *to, zmq_msg_t *m) {
    tu_send_str(from, "hello", 0);
    CHECK_OK(zmq_msg_init(m));
    tu_set_int(to, ZMQ_RCVTIMEO, SEC_WAIT_MS);
    if (zmq_msg_recv(m, to, 0) != 5)
        TU_FAIL("no message crossed the connection: %s", zmq_strerror(zmq_errno()));
    CHECK_MEM(zmq_msg_data(m), zmq_msg_size(m), "hello", 5);
}

/* Messages cross both ways. */
static TU_UNUSED void sec_bounce(void *server, void *client) {
    zmq_msg_t m;
    sec_cross(client, server, &m);
    CHECK_OK(zmq_msg_close(&m));
    sec_cross(server, client, &m);
    CHECK_OK(zmq_msg_close(&m));
}

/* A message the client queues does not reach the server (within SEC_ABSENT_MS). */
static TU_UNUSED void sec_no_traffic(void *server, void *client) {
    int n = zmq_send(client, "hello", 5, ZMQ_DONTWAIT);
    CHECK(n == 5 || zmq_errno() == EAGAIN);
    char buf[8];
    tu_set_int(server, ZMQ_RCVTIMEO, SEC_ABSENT_MS);
    CHECK_ERR(zmq_recv(server, buf, sizeof buf, 0), EAGAIN);
}

/* The message property `name` equals `expect` (NULL: absent, with EINVAL). */
static TU_UNUSED void sec_property(zmq_msg_t *m, const char *name, const char *expect) {
    errno = 0;
    const char *got = zmq_msg_gets(m, name);
    if (expect == NULL) {
        if (got != NULL || zmq_errno() != EINVAL)
            TU_FAIL("property %s: \"%s\" (errno %d), expected none with EINVAL", name,
                    got ? got : "(null)", zmq_errno());
        return;
    }
    if (got == NULL || strcmp(got, expect) != 0)
        TU_FAIL("property %s: \"%s\", expected \"%s\"", name, got ? got : "(null)", expect);
}

#endif /* FERROMQ_SECURITYUTIL_H */
