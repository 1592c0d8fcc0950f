/*
 * The NULL mechanism and ZAP (RFC 27), over tcp, with a ZAP handler of our own on a
 * thread (securityutil.h):
 * - without ZAP_DOMAIN a NULL server never asks ZAP (the handler sees no request) and its
 *   peer's messages carry no User-Id; MECHANISM reads ZMQ_NULL;
 * - with ZAP_DOMAIN it asks: version "1.0", the domain, the peer's address, the server
 *   socket's routing id, mechanism "NULL" and no credentials; the reply's user id becomes
 *   the User-Id property of the peer's messages (zmq_msg_gets);
 * - the handler denying the domain (400): HANDSHAKE_FAILED_AUTH 400 on both sides (the
 *   client learns it from the server's ERROR) and nothing crosses;
 * - ZAP_DOMAIN without any handler: the peer is let in; with ZAP_ENFORCE_DOMAIN it is
 *   refused (HANDSHAKE_FAILED_NO_DETAIL with EFAULT on the server), and ENFORCE with a
 *   handler bound asks it as usual.
 */
#include "securityutil.h"

static void *null_server(void *ctx, const char *domain, int enforce, char *ep, size_t eplen) {
    void *server = sec_dealer(ctx);
    CHECK_OK(zmq_setsockopt(server, ZMQ_ROUTING_ID, "IDENT", 5));
    if (domain != NULL)
        sec_set_str(server, ZMQ_ZAP_DOMAIN, domain);
    if (enforce)
        tu_set_int(server, ZMQ_ZAP_ENFORCE_DOMAIN, 1);
    tu_bind(server, "tcp", ep, eplen);
    return server;
}

static void test_no_domain_asks_nobody(void *ctx) {
    sec_zap_t zap = {0};
    sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = null_server(ctx, NULL, 0, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = sec_dealer(ctx);
    CHECK_EQ_INT(tu_get_int(server, ZMQ_MECHANISM), ZMQ_NULL);
    CHECK_EQ_INT(tu_get_int(client, ZMQ_MECHANISM), ZMQ_NULL);
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    zmq_msg_t m;
    sec_cross(client, server, &m);
    sec_property(&m, "User-Id", NULL);
    sec_property(&m, "Socket-Type", "DEALER");
    CHECK_OK(zmq_msg_close(&m));
    CHECK_EQ_INT(sec_zap_requests(&zap), 0);
    tu_close(client);
    tu_close(smon);
    tu_close(server);
    sec_zap_stop(&zap);
    TU_PASS("NULL without a domain: no ZAP request, no User-Id");
}

static void test_domain_asks_the_handler(void *ctx) {
    sec_zap_t zap = {0};
    zap.user_id = "null-user";
    sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = null_server(ctx, "TESTDOMAIN", 0, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = sec_dealer(ctx);
    void *cmon = sec_monitor(ctx, client);
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    zmq_msg_t m;
    sec_cross(client, server, &m);
    sec_property(&m, "User-Id", "null-user");
    CHECK_OK(zmq_msg_close(&m));
    sec_cross(server, client, &m);
    sec_property(&m, "User-Id", NULL); /* the client asked nobody */
    CHECK_OK(zmq_msg_close(&m));
    sec_zap_wait(&zap, 1);
    CHECK_EQ_INT(zap.nframes, 6);
    CHECK(sec_frame_is(&zap, ZAP_VERSION, "1.0"));
    CHECK(zap.lens[ZAP_ID] > 0);
    CHECK(sec_frame_is(&zap, ZAP_DOMAIN, "TESTDOMAIN"));
    CHECK(sec_frame_is(&zap, ZAP_ADDRESS, "127.0.0.1"));
    CHECK(sec_frame_is(&zap, ZAP_ROUTING_ID, "IDENT"));
    CHECK(sec_frame_is(&zap, ZAP_MECHANISM, "NULL"));
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    sec_zap_stop(&zap);
    TU_PASS("NULL with a domain: one request (1.0, domain, address, routing id), User-Id");
}

static void test_denied_domain(void *ctx) {
    sec_zap_t zap = {0};
    zap.deny_domain = "WRONG";
    sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = null_server(ctx, "WRONG", 0, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = sec_dealer(ctx);
    void *cmon = sec_monitor(ctx, client);
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400);
    sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400);
    sec_no_traffic(server, client);
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    sec_zap_stop(&zap);
    TU_PASS("NULL with a denied domain: HANDSHAKE_FAILED_AUTH 400 on both sides");
}

static void test_no_handler(void *ctx, int enforce) {
    char ep[256];
    void *server = null_server(ctx, "TESTDOMAIN", enforce, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = sec_dealer(ctx);
    CHECK_OK(zmq_connect(client, ep));
    if (enforce) {
        sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EFAULT);
        sec_no_traffic(server, client);
    } else {
        sec_expect(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
        sec_bounce(server, client);
    }
    tu_close(client);
    tu_close(smon);
    tu_close(server);
    TU_PASS(enforce ? "ZAP_ENFORCE_DOMAIN without a handler: refused (EFAULT)"
                    : "a domain without a handler: NULL peers are let in");
}

static void test_enforced_with_handler(void *ctx) {
    sec_zap_t zap = {0};
    sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = null_server(ctx, "TESTDOMAIN", 1, ep, sizeof ep);
    void *client = sec_dealer(ctx);
    CHECK_OK(zmq_connect(client, ep));
    zmq_msg_t m;
    sec_cross(client, server, &m);
    sec_property(&m, "User-Id", "anonymous");
    CHECK_OK(zmq_msg_close(&m));
    CHECK_EQ_INT(sec_zap_requests(&zap), 1);
    tu_close(client);
    tu_close(server);
    sec_zap_stop(&zap);
    TU_PASS("ZAP_ENFORCE_DOMAIN with a handler: asked, let in");
}

int main(void) {
    tu_init("test_security_null", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    test_no_domain_asks_nobody(ctx);
    test_domain_asks_the_handler(ctx);
    test_denied_domain(ctx);
    test_no_handler(ctx, 0);
    test_no_handler(ctx, 1);
    test_enforced_with_handler(ctx);
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
