/*
 * CURVE (RFC 26) over tcp, with keys from zmq_curve_keypair and a ZAP handler of our own
 * (securityutil.h) that accepts one client public key:
 * - the right keys: HANDSHAKE_SUCCEEDED on both sides, messages both ways; the handler
 *   gets mechanism "CURVE" and the client's 32-byte public key; its user id is the
 *   User-Id of the client's messages; MECHANISM reads ZMQ_CURVE; keys set as 40-char
 *   Z85 or 32 bytes read back in both forms (41 bytes with the NUL, or 32);
 * - no ZAP handler: CURVE peers are let in (no User-Id);
 * - a wrong server key: the server cannot open the HELLO box (HANDSHAKE_FAILED_PROTOCOL
 *   ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC) and drops the client without a word;
 * - a client key the handler does not know: HANDSHAKE_FAILED_AUTH 400 on both sides;
 * - a NULL or PLAIN client against a CURVE server: MECHANISM_MISMATCH on both sides;
 * - both sides CURVE_SERVER: nobody says HELLO, nothing crosses; both sides clients: each
 *   gets a HELLO where it waits for a WELCOME (ZMTP_UNEXPECTED_COMMAND).
 */
#include "securityutil.h"

static char server_public[41], server_secret[41];
static char client_public[41], client_secret[41];
static char other_public[41], other_secret[41];

static void *curve_server(void *ctx, char *ep, size_t eplen) {
    void *server = sec_dealer(ctx);
    tu_set_int(server, ZMQ_CURVE_SERVER, 1);
    sec_set_str(server, ZMQ_CURVE_SECRETKEY, server_secret);
    tu_bind(server, "tcp", ep, eplen);
    return server;
}

static void curve_client_keys(void *client, const char *server_key, const char *pub,
                              const char *sec) {
    sec_set_str(client, ZMQ_CURVE_SERVERKEY, server_key);
    sec_set_str(client, ZMQ_CURVE_PUBLICKEY, pub);
    sec_set_str(client, ZMQ_CURVE_SECRETKEY, sec);
}

static void *curve_client(void *ctx, const char *server_key, const char *pub, const char *sec) {
    void *client = sec_dealer(ctx);
    curve_client_keys(client, server_key, pub, sec);
    return client;
}

static void test_key_options(void *ctx) {
    void *s = sec_dealer(ctx);
    uint8_t bin[32], back[32];
    char z85[41];
    CHECK(zmq_z85_decode(bin, server_public) != NULL);
    CHECK_OK(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, bin, 32));
    CHECK_EQ_INT(tu_get_int(s, ZMQ_MECHANISM), ZMQ_CURVE);
    CHECK_EQ_INT(tu_get_int(s, ZMQ_CURVE_SERVER), 0);
    size_t len = sizeof z85;
    CHECK_OK(zmq_getsockopt(s, ZMQ_CURVE_SERVERKEY, z85, &len));
    CHECK_EQ_INT(len, 41);
    CHECK_EQ_STR(z85, server_public);
    len = 32;
    CHECK_OK(zmq_getsockopt(s, ZMQ_CURVE_SERVERKEY, back, &len));
    CHECK_EQ_INT(len, 32);
    CHECK_MEM(back, 32, bin, 32);
    sec_set_str(s, ZMQ_CURVE_PUBLICKEY, client_public);
    len = sizeof z85;
    CHECK_OK(zmq_getsockopt(s, ZMQ_CURVE_PUBLICKEY, z85, &len));
    CHECK_EQ_STR(z85, client_public);
    CHECK_ERR(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, bin, 31), EINVAL);
    tu_close(s);
    TU_PASS("CURVE keys: 32 bytes or Z85 in, both out; MECHANISM");
}

static void test_success(void *ctx, int with_handler) {
    sec_zap_t zap = {0};
    zap.curve_key = client_public;
    zap.user_id = "curve-user";
    if (with_handler)
        sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = curve_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = curve_client(ctx, server_public, client_public, client_secret);
    void *cmon = sec_monitor(ctx, client);
    CHECK_EQ_INT(tu_get_int(server, ZMQ_MECHANISM), ZMQ_CURVE);
    CHECK_EQ_INT(tu_get_int(server, ZMQ_CURVE_SERVER), 1);
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    zmq_msg_t m;
    sec_cross(client, server, &m);
    sec_property(&m, "User-Id", with_handler ? "curve-user" : NULL);
    sec_property(&m, "Socket-Type", "DEALER");
    CHECK_OK(zmq_msg_close(&m));
    sec_cross(server, client, &m);
    CHECK_OK(zmq_msg_close(&m));
    if (with_handler) {
        sec_zap_wait(&zap, 1);
        CHECK_EQ_INT(zap.nframes, 7);
        CHECK(sec_frame_is(&zap, ZAP_MECHANISM, "CURVE"));
        uint8_t key[32];
        CHECK(zmq_z85_decode(key, client_public) != NULL);
        CHECK_MEM(zap.frames[ZAP_CRED], zap.lens[ZAP_CRED], key, 32);
    }
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    if (with_handler)
        sec_zap_stop(&zap);
    TU_PASS(with_handler ? "CURVE with a handler: the client's key, User-Id"
                         : "CURVE without a handler: let in");
}

static void test_wrong_server_key(void *ctx) {
    char ep[256];
    void *server = curve_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = curve_client(ctx, other_public, client_public, client_secret);
    void *cmon = sec_monitor(ctx, client);
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    sec_expect_dropped(cmon);
    sec_no_traffic(server, client);
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    TU_PASS("CURVE with a wrong server key: CRYPTOGRAPHIC on the server, dropped client");
}

static void test_unknown_client_key(void *ctx) {
    sec_zap_t zap = {0};
    zap.curve_key = client_public;
    sec_zap_start(ctx, &zap);
    char ep[256];
    void *server = curve_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = curve_client(ctx, server_public, other_public, other_secret);
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
    TU_PASS("CURVE with an unknown client key: 400 on both sides");
}

static void test_mismatch(void *ctx, int plain) {
    char ep[256];
    void *server = curve_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = sec_dealer(ctx);
    if (plain) {
        sec_set_str(client, ZMQ_PLAIN_USERNAME, "admin");
        sec_set_str(client, ZMQ_PLAIN_PASSWORD, "password");
    }
    void *cmon = sec_monitor(ctx, client);
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
               ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
    sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
               ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
    sec_no_traffic(server, client);
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    TU_PASS(plain ? "a PLAIN client against CURVE: mechanism mismatch"
                  : "a NULL client against CURVE: mechanism mismatch");
}

static void test_both_servers(void *ctx) {
    char ep[256];
    void *server = curve_server(ctx, ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = sec_dealer(ctx);
    tu_set_int(client, ZMQ_CURVE_SERVER, 1);
    sec_set_str(client, ZMQ_CURVE_SECRETKEY, client_secret);
    CHECK_OK(zmq_connect(client, ep));
    sec_no_traffic(server, client);
    sec_expect_quiet(smon, 0);
    tu_close(client);
    tu_close(smon);
    tu_close(server);
    TU_PASS("CURVE: both sides servers, nobody says HELLO");
}

static void test_both_clients(void *ctx) {
    char ep[256];
    void *server = sec_dealer(ctx);
    curve_client_keys(server, client_public, server_public, server_secret);
    tu_bind(server, "tcp", ep, sizeof ep);
    void *smon = sec_monitor(ctx, server);
    void *client = curve_client(ctx, server_public, client_public, client_secret);
    void *cmon = sec_monitor(ctx, client);
    CHECK_OK(zmq_connect(client, ep));
    sec_expect(smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
               ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    sec_expect(cmon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
               ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    sec_no_traffic(server, client);
    tu_close(client);
    tu_close(cmon);
    tu_close(smon);
    tu_close(server);
    TU_PASS("CURVE: both sides clients, a HELLO instead of a WELCOME");
}

int main(void) {
    tu_init("test_security_curve", 60);
    CHECK_EQ_INT(zmq_has("curve"), 1);
    CHECK_OK(zmq_curve_keypair(server_public, server_secret));
    CHECK_OK(zmq_curve_keypair(client_public, client_secret));
    CHECK_OK(zmq_curve_keypair(other_public, other_secret));
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    test_key_options(ctx);
    test_success(ctx, 1);
    test_success(ctx, 0);
    test_wrong_server_key(ctx);
    test_unknown_client_key(ctx);
    test_mismatch(ctx, 0);
    test_mismatch(ctx, 1);
    test_both_servers(ctx);
    test_both_clients(ctx);
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
