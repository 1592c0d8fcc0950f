/*
 * Weather update server: a PUB socket publishing random "zipcode temperature humidity"
 * updates.
 *
 *   wuserver [ENDPOINT=tcp://0.0.0.0:5556] [UPDATES=forever]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* A small xorshift generator: the updates only need to look random. */
static uint64_t state = 0x2545F4914F6CDD1DULL;
static unsigned below(unsigned n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned) (state % n);
}

int main(int argc, char **argv) {
    const char *endpoint = argc > 1 ? argv[1] : "tcp://*:5556";
    long long updates = argc > 2 ? atoll(argv[2]) : -1; /* -1: forever */

    void *context = zmq_ctx_new();
    void *publisher = zmq_socket(context, ZMQ_PUB);
    if (zmq_bind(publisher, endpoint) != 0) {
        fprintf(stderr, "wuserver: bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    char bound[256];
    size_t len = sizeof bound;
    zmq_getsockopt(publisher, ZMQ_LAST_ENDPOINT, bound, &len);
    printf("wuserver: publishing on %s\n", bound);
    fflush(stdout);

    for (long long n = 0; updates < 0 || n < updates; n++) {
        int zipcode = (int) below(100000);
        int temperature = (int) below(215) - 80;
        int relhumidity = (int) below(50) + 10;
        char update[32];
        int size = snprintf(update, sizeof update, "%05d %d %d", zipcode, temperature,
                            relhumidity);
        zmq_send(publisher, update, (size_t) size, 0);
    }
    zmq_close(publisher);
    zmq_ctx_term(context);
    return 0;
}
