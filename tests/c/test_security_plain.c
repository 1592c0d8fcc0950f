/*
 * PLAIN (RFC 24) over tcp, with a ZAP handler of our own (securityutil.h) that accepts
 * only admin/password:
 * - the right credentials: HANDSHAKE_SUCCEEDED on both sides; the handler gets mechanism
 *   "PLAIN" with the user name and password frames (even without a ZAP_DOMAIN); the user
 *   id it returns is the User-Id of the client's messages; MECHANISM reads ZMQ_PLAIN on
 *   both sides, PLAIN_SERVER and PLAIN_USERNAME/PASSWORD read back;
 * - a wrong password: HANDSHAKE_FAILED_AUTH 400 on both sides, nothing crosses;
 * - a client without credentials (no PLAIN option: NULL) against a PLAIN server: a
 *   mechanism mismatch, HANDSHAKE_FAILED_PROTOCOL MECHANISM_MISMATCH on both sides;
 * - client as server (both PLAIN_SERVER): neither side says HELLO, nothing crosses;
 * - no ZAP handler: PLAIN is refused (libzmq: HANDSHAKE_FAILED_NO_DETAIL with EFAULT on
 *   the server), unlike NULL and CURVE.
 */
#include "securityutil.h"

static void *plain_server(void *ctx, char *ep, size_t eplen) {
    void *server = sec_dealer(ctx);
    tu_set_int(server, ZMQ_PLAIN_SERVER, 1);
    tu_bind(server, "tcp", ep, eplen);
    return server;
}

static void *plain_client(void *ctx, const char *user, const char *pass) {
    void *client = sec_dealer(ctx);
    sec_set_str(client, ZMQ_PLAIN_USERNAME, user);
    sec_set_str(client, ZMQ_PLAIN_PASSWORD, pass);
    return client;
}

static void test_success(void *ctx) {
    sec_zap_t zap = {0};
    zap.plain_user = "admin";
    zap.plain_pass = "password";
    sec_zap_start(ctx, &zap);
    char ep[256], buf[64];
    void *server = plain_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = plain_client(ctx, "admin", "password");
    void *cmon = sec_monitor(ctx, client);
    CHECK_EQ_INT(tu_get_int(server, ZMQ_MECHANISM), ZMQ_PLAIN);
    CHECK_EQ_INT(tu_get_int(client, ZMQ_MECHANISM), ZMQ_PLAIN);
    CHECK_EQ_INT(tu_get_int(server, ZMQ_PLAIN_SERVER), 1);
    CHECK_EQ_INT(tu_get_int(client, ZMQ_PLAIN_SERVER), 0);
    size_t len = sizeof buf;
    CHECK_OK(zmq_getsockopt(client, ZMQ_PLAIN_USERNAME, buf, &len));
    CHECK_EQ_INT(len, 6);
    CHECK_EQ_STR(buf, "admin");
    len = sizeof buf;
    CHECK_OK(zmq_getsockopt(client, ZMQ_PLAIN_PASSWORD, buf, &len));
    CHECK_EQ_STR(buf, "password");

    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    zmq_msg_t m;
    sec_cross(client, server, &m);
    sec_property(&m, "User-Id", "admin");
    sec_property(&m, "Socket-Type", "DEALER");
    CHECK_OK(zmq_msg_close(&m));
    sec_cross(server, client, &m);
    CHECK_OK(zmq_msg_close(&m));
    sec_zap_wait(&zap, 1);
    CHECK_EQ_INT(zap.nframes, 8);
    CHECK(sec_frame_is(&zap, ZAP_DOMAIN, ""));
    CHECK(sec_frame_is(&zap, ZAP_MECHANISM, "PLAIN"));
    CHECK(sec_frame_is(&zap, ZAP_CRED, "admin"));
    CHECK(sec_frame_is(&zap, ZAP_CRED + 1, "password"));
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    sec_zap_stop(&zap);
    TU_PASS("PLAIN with the right credentials: User-Id, the request's frames, MECHANISM");
}

/* A client the handler refuses: `user` NULL means no PLAIN option at all (NULL). */
static void test_refused(void *ctx, const char *user, const char *pass) {
    sec_zap_t zap = {0};
    zap.plain_user = "admin";
    zap.plain_pass = "password";
    sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = plain_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = user != NULL ? plain_client(ctx, user, pass) : sec_dealer(ctx);
    void *cmon = sec_monitor(ctx, client);
    CHECK_OK(zmq_connect(client, ep));
    if (user != NULL) {
        sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400);
        sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400);
    } else {
        sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
        sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
        CHECK_EQ_INT(sec_zap_requests(&zap), 0);
    }
    sec_no_traffic(server, client);
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    sec_zap_stop(&zap);
    TU_PASS(user == NULL      ? "a NULL client against PLAIN: mechanism mismatch"
                              : "PLAIN with a wrong password: 400");
}

static void test_client_as_server(void *ctx) {
    sec_zap_t zap = {0};
    sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = plain_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = sec_dealer(ctx);
    tu_set_int(client, ZMQ_PLAIN_SERVER, 1);
    CHECK_OK(zmq_connect(client, ep));
    sec_no_traffic(server, client);
    sec_expect_quiet(smon, 0);
    CHECK_EQ_INT(sec_zap_requests(&zap), 0);
    tu_close(client);
    tu_close(smon);
    tu_close(server);
    sec_zap_stop(&zap);
    TU_PASS("PLAIN client as server: no HELLO either way, nothing crosses");
}

static void test_no_handler(void *ctx) {
    char ep[256];
    void *server = plain_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = plain_client(ctx, "admin", "password");
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EFAULT);
    sec_no_traffic(server, client);
    tu_close(client);
    tu_close(smon);
    tu_close(server);
    TU_PASS("PLAIN without a ZAP handler: refused (EFAULT)");
}

int main(void) {
    tu_init("test_security_plain", 60);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    test_success(ctx);
    test_refused(ctx, "admin", "wrong");
    test_refused(ctx, NULL, NULL);
    test_client_as_server(ctx);
    test_no_handler(ctx);
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
