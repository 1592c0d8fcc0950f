/*
 * Weather update client: a SUB socket that subscribes to one zipcode and averages the
 * temperatures of the updates it receives.
 *
 *   wuclient [ENDPOINT=tcp://localhost:5556] [ZIPCODE=10001] [UPDATES=100]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char **argv) {
    const char *endpoint = argc > 1 ? argv[1] : "tcp://localhost:5556";
    const char *zipcode = argc > 2 ? argv[2] : "10001";
    int updates = argc > 3 ? atoi(argv[3]) : 100;

    void *context = zmq_ctx_new();
    void *subscriber = zmq_socket(context, ZMQ_SUB);
    if (zmq_connect(subscriber, endpoint) != 0) {
        fprintf(stderr, "wuclient: connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        return 1;
    }
    /* The trailing space makes "10001" not match "100010". */
    char filter[64];
    snprintf(filter, sizeof filter, "%s ", zipcode);
    zmq_setsockopt(subscriber, ZMQ_SUBSCRIBE, filter, strlen(filter));
    printf("Collecting updates from weather server...\n");
    fflush(stdout);

    long total_temp = 0;
    for (int n = 0; n < updates; n++) {
        char update[64];
        int size = zmq_recv(subscriber, update, sizeof update - 1, 0);
        if (size == -1) {
            fprintf(stderr, "wuclient: recv: %s\n", zmq_strerror(zmq_errno()));
            return 1;
        }
        update[size < 63 ? size : 63] = '\0';
        int zip, temperature, relhumidity;
        if (sscanf(update, "%d %d %d", &zip, &temperature, &relhumidity) != 3) {
            fprintf(stderr, "wuclient: bad update \"%s\"\n", update);
            return 1;
        }
        total_temp += temperature;
    }
    printf("Average temperature for zipcode '%s' was %ldF\n", zipcode,
           total_temp / (updates > 0 ? updates : 1));
    zmq_close(subscriber);
    zmq_ctx_term(context);
    return 0;
}
