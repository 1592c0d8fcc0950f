/*
 * ZAP (RFC 27) replies and what each side's monitor shows, for NULL (with a ZAP_DOMAIN),
 * PLAIN and CURVE servers, with a ZAP handler of our own (securityutil.h):
 * - 200 with a user id and metadata (a REP handler, and a ROUTER handler): the peer's
 *   messages carry User-Id and each metadata property (zmq_msg_gets), beside its own
 *   Socket-Type;
 * - 300 (temporary failure): HANDSHAKE_FAILED_AUTH 300 on the server, no ERROR, nothing
 *   crosses. Whether the server then closes the connection is a race in libzmq (its
 *   engine notices the failed state only if its output was stopped at that moment), so
 *   the client's side is not asserted; ferromq always closes quietly
 *   (docs/ARCHITECTURE.md, "Connection set-up");
 * - 500: HANDSHAKE_FAILED_AUTH 500 on both sides (the client reads the ERROR's status);
 * - a reply with a wrong version or request id: HANDSHAKE_FAILED_PROTOCOL
 *   ZAP_BAD_VERSION / ZAP_BAD_REQUEST_ID on the server;
 * - a handler that takes the request and never answers, or closes without answering:
 *   the handshake just waits (no event on either side, nothing crosses, the client is
 *   not dropped and does not ask again) until the client goes away, which the server
 *   reports as HANDSHAKE_FAILED_NO_DETAIL with EPIPE (or ECONNRESET). (libzmq's CURVE
 *   server misses the client's leaving on some runs: held to it on ferromq only.)
 */
#include "securityutil.h"

enum mech { MECH_NULL, MECH_PLAIN, MECH_CURVE };
static const char *const MECH_NAMES[] = {"NULL", "PLAIN", "CURVE"};
static char server_public[41], server_secret[41], client_public[41], client_secret[41];

static void *server_for(void *ctx, enum mech mech, char *ep, size_t eplen) {
    void *server = sec_dealer(ctx);
    sec_set_str(server, ZMQ_ZAP_DOMAIN, "ZAPTEST");
    if (mech == MECH_PLAIN)
        tu_set_int(server, ZMQ_PLAIN_SERVER, 1);
    if (mech == MECH_CURVE) {
        tu_set_int(server, ZMQ_CURVE_SERVER, 1);
        sec_set_str(server, ZMQ_CURVE_SECRETKEY, server_secret);
    }
    tu_bind(server, "tcp", ep, eplen);
    return server;
}

static void *client_for(void *ctx, enum mech mech) {
    void *client = sec_dealer(ctx);
    if (mech == MECH_PLAIN) {
        sec_set_str(client, ZMQ_PLAIN_USERNAME, "admin");
        sec_set_str(client, ZMQ_PLAIN_PASSWORD, "password");
    }
    if (mech == MECH_CURVE) {
        sec_set_str(client, ZMQ_CURVE_SERVERKEY, server_public);
        sec_set_str(client, ZMQ_CURVE_PUBLICKEY, client_public);
        sec_set_str(client, ZMQ_CURVE_SECRETKEY, client_secret);
    }
    return client;
}

/* One case: a context, our handler (configured in `zap` before case_start), a server
 * and a connecting client, each with a monitor. */
typedef struct {
    void *ctx, *server, *smon, *client, *cmon;
    sec_zap_t zap;
} zap_case_t;

static void case_start(zap_case_t *c, enum mech mech) {
    c->ctx = zmq_ctx_new();
    CHECK(c->ctx != NULL);
    sec_zap_start(c->ctx, &c->zap);
    char ep[256];
    c->server = server_for(c->ctx, mech, ep, sizeof ep);
    c->smon = sec_monitor(c->ctx, c->server);
    c->client = client_for(c->ctx, mech);
    c->cmon = sec_monitor(c->ctx, c->client);
    CHECK_OK(zmq_connect(c->client, ep));
}

/* Closes what the case has not closed itself (NULL), then the handler and context. */
static void case_end(zap_case_t *c) {
    void *open[] = {c->client, c->cmon, c->smon, c->server};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (open[i] != NULL)
            tu_close(open[i]);
    sec_zap_stop(&c->zap);
    CHECK_OK(zmq_ctx_term(c->ctx));
}

static void test_metadata(enum mech mech, int handler_type) {
    static const char md[] = "\x05Hello\x00\x00\x00\x05World"
                             "\x07X-Count\x00\x00\x00\x01"
                             "3";
    zap_case_t c = {0};
    c.zap.type = handler_type;
    c.zap.user_id = "zap-user";
    c.zap.metadata = md;
    c.zap.metadata_len = sizeof md - 1;
    case_start(&c, mech);
    zmq_msg_t m;
    sec_cross(c.client, c.server, &m);
    sec_property(&m, "User-Id", "zap-user");
    sec_property(&m, "Hello", "World");
    sec_property(&m, "X-Count", "3");
    sec_property(&m, "Socket-Type", "DEALER");
    sec_property(&m, "No-Such-Property", NULL);
    CHECK_OK(zmq_msg_close(&m));
    CHECK(sec_frame_is(&c.zap, ZAP_MECHANISM, MECH_NAMES[mech]));
    CHECK(sec_frame_is(&c.zap, ZAP_DOMAIN, "ZAPTEST"));
    case_end(&c);
    printf("test_security_zap: ok: %s, %s handler: 200, User-Id and ZAP metadata\n",
           MECH_NAMES[mech], handler_type == ZMQ_ROUTER ? "ROUTER" : "REP");
}

static void test_status(enum mech mech, const char *status) {
    zap_case_t c = {0};
    c.zap.status = status;
    case_start(&c, mech);
    sec_expect(c.smon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, atoi(status));
    /* 300: no ERROR, so nothing to assert on the client (see the header). */
    if (strcmp(status, "300") != 0)
        sec_expect(c.cmon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, atoi(status));
    sec_no_traffic(c.server, c.client);
    case_end(&c);
    printf("test_security_zap: ok: %s, status %s\n", MECH_NAMES[mech], status);
}

static void test_malformed(enum mech mech, enum sec_reply reply, int code) {
    zap_case_t c = {0};
    c.zap.reply = reply;
    case_start(&c, mech);
    sec_expect(c.smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, code);
    sec_no_traffic(c.server, c.client);
    case_end(&c);
    printf("test_security_zap: ok: %s, reply with a bad %s\n", MECH_NAMES[mech],
           reply == SEC_REPLY_BAD_VERSION ? "version" : "request id");
}

static void test_unanswered(enum mech mech, enum sec_reply reply) {
    zap_case_t c = {0};
    c.zap.reply = reply;
    case_start(&c, mech);
    sec_zap_wait(&c.zap, 1);
    sec_no_traffic(c.server, c.client);
    sec_expect_quiet(c.smon, 0);
    sec_expect_quiet(c.cmon, 0);
    CHECK_EQ_INT(sec_zap_requests(&c.zap), 1);
    tu_close(c.client);
    tu_close(c.cmon);
    c.client = c.cmon = NULL;
    /* The server reads on while it waits for ZAP and sees the client go: EPIPE. libzmq's
     * CURVE server stops reading on some runs and reports nothing until HANDSHAKE_IVL,
     * so libzmq is held only to the event's kind when it comes. */
    uint32_t v = 0;
#ifdef FERROMQ_ZMQ_H_INCLUDED
    int ev = sec_next_event(c.smon, &v, SEC_WAIT_MS);
#else
    int ev = sec_next_event(c.smon, &v, mech == MECH_CURVE ? SEC_ABSENT_MS : SEC_WAIT_MS);
    if (ev == -1 && mech == MECH_CURVE)
        ev = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, v = EPIPE;
#endif
    if (ev != ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL || (v != EPIPE && v != ECONNRESET))
        TU_FAIL("%s: server event 0x%x value %u once the client left, expected "
                "HANDSHAKE_FAILED_NO_DETAIL with EPIPE", MECH_NAMES[mech], ev, v);
    case_end(&c);
    printf("test_security_zap: ok: %s, a handler that %s: the handshake waits\n",
           MECH_NAMES[mech], reply == SEC_REPLY_CLOSE ? "closes unanswered" : "never answers");
}

int main(void) {
    tu_init("test_security_zap", 80);
    CHECK_OK(zmq_curve_keypair(server_public, server_secret));
    CHECK_OK(zmq_curve_keypair(client_public, client_secret));
    for (int mech = MECH_NULL; mech <= MECH_CURVE; mech++) {
        test_metadata(mech, ZMQ_REP);
        test_metadata(mech, ZMQ_ROUTER);
        test_status(mech, "300");
        test_status(mech, "500");
        test_malformed(mech, SEC_REPLY_BAD_VERSION, ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION);
        test_malformed(mech, SEC_REPLY_BAD_ID, ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID);
        test_unanswered(mech, SEC_REPLY_NONE);
        test_unanswered(mech, SEC_REPLY_CLOSE);
    }
    return 0;
}
