/*
 * CURVE key utilities and Z85 (libzmq's test_base85 cases and zmq_curve.adoc's vectors):
 * zmq_z85_encode (valid, sizes not a multiple of 4, empty input), zmq_z85_decode (valid,
 * bad lengths, the largest group, a group above 2^32 - 1, characters outside the
 * alphabet and next to its ends), round trips; zmq_curve_public on the documented key
 * pairs and EINVAL for a bad secret; zmq_curve_keypair gives 40-character keys whose
 * public half zmq_curve_public re-derives, a new pair each call.
 */
#include "testutil.h"

static void z85_encode(void) {
    const uint8_t bin[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    CHECK(zmq_z85_encode(text, bin, 8) == text);
    CHECK_EQ_STR(text, "HelloWorld");
    char big[64];
    uint8_t zeros[42] = {0};
    CHECK_NULL_ERR(zmq_z85_encode(big, zeros, 1), EINVAL);
    CHECK_NULL_ERR(zmq_z85_encode(big, zeros, 42), EINVAL);
    /* Nothing to encode: the empty string. */
    big[0] = 'x';
    CHECK(zmq_z85_encode(big, zeros, 0) == big);
    CHECK_EQ_STR(big, "");
    const uint8_t max[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    CHECK(zmq_z85_encode(text, max, 4) == text);
    CHECK_EQ_STR(text, "%nSc0");
}

static void z85_decode(void) {
    uint8_t out[40];
    const uint8_t hello[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    CHECK(zmq_z85_decode(out, "HelloWorld") == out);
    CHECK(memcmp(out, hello, 8) == 0);
    /* The largest group is 2^32 - 1; one more overflows. libzmq 4.3.4 returns NULL
     * without setting errno there, so only the NULL is asserted. */
    CHECK(zmq_z85_decode(out, "%nSc0") == out);
    CHECK(out[0] == 0xFF && out[1] == 0xFF && out[2] == 0xFF && out[3] == 0xFF);
    CHECK(zmq_z85_decode(out, "%nSc1") == NULL);
    /* Lengths must be non-zero multiples of 5. */
    CHECK_NULL_ERR(zmq_z85_decode(out, ""), EINVAL);
    CHECK_NULL_ERR(zmq_z85_decode(out, "abcd"), EINVAL);
    CHECK_NULL_ERR(zmq_z85_decode(out, "HelloWorl"), EINVAL);
    /* Characters outside the alphabet: inside it ('"', ','), just below its first
     * printable ('\x20') and just above its last ('\x7f'). */
    CHECK_NULL_ERR(zmq_z85_decode(out, "Hell\"World"), EINVAL);
    CHECK_NULL_ERR(zmq_z85_decode(out, "Hell,World"), EINVAL);
    CHECK_NULL_ERR(zmq_z85_decode(out, "Hell World"), EINVAL);
    CHECK_NULL_ERR(zmq_z85_decode(out, "Hell\x7fWorld"), EINVAL);
    /* Round trips of every byte value. */
    uint8_t bytes[256], back[256];
    char text[321];
    for (int i = 0; i < 256; i++)
        bytes[i] = (uint8_t)i;
    CHECK(zmq_z85_encode(text, bytes, 256) == text);
    CHECK_EQ_INT(strlen(text), 320);
    CHECK(zmq_z85_decode(back, text) == back);
    CHECK(memcmp(back, bytes, 256) == 0);
}

static void curve_public(void) {
    /* doc/zmq_curve.adoc: the client's and the server's documented pairs. */
    char public_key[41];
    CHECK_OK(zmq_curve_public(public_key, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"));
    CHECK_EQ_STR(public_key, "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    CHECK_OK(zmq_curve_public(public_key, "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"));
    CHECK_EQ_STR(public_key, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    /* A secret that is not Z85: 39 characters, or a space as the 40th. */
    CHECK_ERR(zmq_curve_public(public_key, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c"), EINVAL);
    CHECK_ERR(zmq_curve_public(public_key, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c "), EINVAL);
}

static void curve_keypair(void) {
    char public_key[41], secret_key[41], derived[41], public2[41], secret2[41];
    memset(public_key, 'x', sizeof public_key);
    memset(secret_key, 'x', sizeof secret_key);
    CHECK_OK(zmq_curve_keypair(public_key, secret_key));
    CHECK_EQ_INT(strlen(public_key), 40);
    CHECK_EQ_INT(strlen(secret_key), 40);
    uint8_t raw[32];
    CHECK(zmq_z85_decode(raw, public_key) == raw);
    CHECK(zmq_z85_decode(raw, secret_key) == raw);
    CHECK_OK(zmq_curve_public(derived, secret_key));
    CHECK_EQ_STR(derived, public_key);
    CHECK_OK(zmq_curve_keypair(public2, secret2));
    CHECK(strcmp(public2, public_key) != 0);
    CHECK(strcmp(secret2, secret_key) != 0);
}

int main(void) {
    tu_init("test_curve_keys", 60);
    z85_encode();
    TU_PASS("zmq_z85_encode");
    z85_decode();
    TU_PASS("zmq_z85_decode");
    curve_public();
    TU_PASS("zmq_curve_public");
    curve_keypair();
    TU_PASS("zmq_curve_keypair");
    return 0;
}
