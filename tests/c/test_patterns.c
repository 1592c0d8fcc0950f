/*
 * Every socket pattern over tcp, ipc and inproc:
 * PUSH/PULL, PUB/SUB (topic filtering), REQ/REP, DEALER/ROUTER (envelopes, ROUTER_MANDATORY
 * EHOSTUNREACH), REQ/ROUTER envelopes, PAIR, XPUB/XSUB (subscription messages); and
 * PUSH/PULL over tcp://[::1] with ZMQ_IPV6 (skipped if the host cannot bind ::1).
 */
#include "testutil.h"

#include <netinet/in.h>
#include <sys/socket.h>

static void push_pull(void *ctx, const char *tr) {
    char ep[256];
    void *pull = tu_socket(ctx, ZMQ_PULL);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    tu_bind(pull, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(push, ep));
    for (int i = 0; i < 100; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "task %d", i);
        tu_send_str(push, msg, 0);
    }
    for (int i = 0; i < 100; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "task %d", i);
        tu_recv_expect(pull, msg, 0); /* one peer: in order */
    }
    /* Two pushers fan in to one puller. */
    void *push2 = tu_socket(ctx, ZMQ_PUSH);
    CHECK_OK(zmq_connect(push2, ep));
    tu_send_str(push2, "from two", 0);
    tu_recv_expect(pull, "from two", 0);
    /* One pusher round-robins over two pullers once both are connected. */
    void *pull2 = tu_socket(ctx, ZMQ_PULL);
    void *fanout = tu_socket(ctx, ZMQ_PUSH);
    char ep2[256];
    tu_bind(fanout, tr, ep2, sizeof ep2);
    CHECK_OK(zmq_connect(pull, ep2));
    CHECK_OK(zmq_connect(pull2, ep2));
    /* Wait until both pipes are attached: a message sent now reaches each puller. */
    int got1 = 0, got2 = 0;
    for (int round = 0; round < 200 && (got1 == 0 || got2 == 0); round++) {
        tu_send_str(fanout, "rr", 0);
        zmq_pollitem_t items[] = {{pull, 0, ZMQ_POLLIN, 0}, {pull2, 0, ZMQ_POLLIN, 0}};
        CHECK_OK(zmq_poll(items, 2, 50));
        char buf[8];
        while (zmq_recv(pull, buf, sizeof buf, ZMQ_DONTWAIT) == 2)
            got1++;
        while (zmq_recv(pull2, buf, sizeof buf, ZMQ_DONTWAIT) == 2)
            got2++;
    }
    CHECK(got1 > 0 && got2 > 0);
    tu_close(fanout);
    tu_close(pull2);
    tu_close(push2);
    tu_close(push);
    tu_close(pull);
}

/* Sends `msg` on `pub` until `sub` receives something (subscriptions propagate
 * asynchronously); returns after the first frame was received and checked. */
static void pubsub_sync(void *pub, void *sub, const char *msg) {
    for (int i = 0; i < 400; i++) {
        tu_send_str(pub, msg, 0);
        if (tu_wait_readable(sub, 25)) {
            tu_recv_expect(sub, msg, 0);
            return;
        }
    }
    TU_FAIL("subscriber never received \"%s\"", msg);
}

/* Publishes `msg` once and, on each subscriber (which must match it), discards frames up
 * to and including it: sync messages still in flight are gone afterwards, since order is
 * kept per pipe. */
static void pubsub_flush(void *pub, void *sub1, void *sub2, const char *msg) {
    void *subs[2] = {sub1, sub2};
    tu_send_str(pub, msg, 0);
    for (int i = 0; i < 2; i++) {
        if (subs[i] == NULL)
            continue;
        for (;;) {
            char buf[256];
            int n = zmq_recv(subs[i], buf, sizeof buf, 0);
            if (n < 0)
                TU_FAIL("flush: zmq_recv: %s", zmq_strerror(zmq_errno()));
            if ((size_t) n == strlen(msg) && memcmp(buf, msg, (size_t) n) == 0)
                break;
        }
    }
}

static void pub_sub(void *ctx, const char *tr) {
    char ep[256];
    void *pub = tu_socket(ctx, ZMQ_PUB);
    void *sub = tu_socket(ctx, ZMQ_SUB);
    void *all = tu_socket(ctx, ZMQ_SUB);
    tu_bind(pub, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(sub, ep));
    CHECK_OK(zmq_connect(all, ep));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "weather.", 8));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "news", 4));
    CHECK_OK(zmq_setsockopt(all, ZMQ_SUBSCRIBE, "", 0));
    pubsub_sync(pub, sub, "weather.sync");
    pubsub_sync(pub, all, "weather.sync");
    pubsub_flush(pub, sub, all, "weather.flush");
    /* Filtering is by prefix; per-pipe order is kept, so the next message received must
     * be the next matching one. */
    tu_send_str(pub, "sports 1", 0);
    tu_send_str(pub, "weather 2", 0); /* no dot: no match */
    tu_send_str(pub, "weather.paris 3", 0);
    tu_send_str(pub, "newsflash 4", 0);
    tu_send_str(pub, "NEWS 5", 0); /* case sensitive */
    tu_send_str(pub, "news", 0);   /* exactly the topic */
    tu_recv_expect(sub, "weather.paris 3", 0);
    tu_recv_expect(sub, "newsflash 4", 0);
    tu_recv_expect(sub, "news", 0);
    CHECK_ERR(zmq_recv(sub, (char[8]){0}, 8, ZMQ_DONTWAIT), EAGAIN);
    /* The empty subscription gets everything. */
    tu_recv_expect(all, "sports 1", 0);
    tu_recv_expect(all, "weather 2", 0);
    tu_recv_expect(all, "weather.paris 3", 0);
    tu_recv_expect(all, "newsflash 4", 0);
    tu_recv_expect(all, "NEWS 5", 0);
    tu_recv_expect(all, "news", 0);
    /* Multipart: the topic is matched on the first frame, the whole message follows. */
    tu_send_str(pub, "news", ZMQ_SNDMORE);
    tu_send_str(pub, "body", 0);
    tu_recv_expect(sub, "news", 1);
    tu_recv_expect(sub, "body", 0);
    /* Unsubscribing stops delivery (after the unsubscription reaches the publisher). */
    CHECK_OK(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "news", 4));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "weather.", 8));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "marker", 6));
    pubsub_sync(pub, sub, "marker"); /* the later subscription arrived, so did the others */
    pubsub_flush(pub, sub, NULL, "marker flush");
    tu_send_str(pub, "news again", 0);
    tu_send_str(pub, "marker end", 0);
    tu_recv_expect(sub, "marker end", 0);
    /* PUB cannot receive, SUB cannot send. */
    CHECK_ERR(zmq_recv(pub, (char[8]){0}, 8, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERR(zmq_send(sub, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    tu_close(all);
    tu_close(sub);
    tu_close(pub);
}

static void req_rep(void *ctx, const char *tr) {
    char ep[256];
    void *rep = tu_socket(ctx, ZMQ_REP);
    void *req = tu_socket(ctx, ZMQ_REQ);
    tu_bind(rep, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(req, ep));
    for (int i = 0; i < 10; i++) {
        tu_send_str(req, "Hello", 0);
        tu_recv_expect(rep, "Hello", 0); /* REP strips the envelope */
        tu_send_str(rep, "World", 0);
        tu_recv_expect(req, "World", 0);
    }
    /* Multipart request and reply. */
    tu_send_str(req, "a", ZMQ_SNDMORE);
    tu_send_str(req, "b", 0);
    tu_recv_expect(rep, "a", 1);
    tu_recv_expect(rep, "b", 0);
    tu_send_str(rep, "c", ZMQ_SNDMORE);
    tu_send_str(rep, "d", 0);
    tu_recv_expect(req, "c", 1);
    tu_recv_expect(req, "d", 0);
    tu_close(req);
    tu_close(rep);
}

static void dealer_router(void *ctx, const char *tr) {
    char ep[256];
    void *router = tu_socket(ctx, ZMQ_ROUTER);
    void *dealer = tu_socket(ctx, ZMQ_DEALER);
    void *req = tu_socket(ctx, ZMQ_REQ);
    tu_set_int(router, ZMQ_ROUTER_MANDATORY, 1);
    CHECK_OK(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "D1", 2));
    CHECK_OK(zmq_setsockopt(req, ZMQ_ROUTING_ID, "R1", 2));
    tu_bind(router, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(dealer, ep));
    CHECK_OK(zmq_connect(req, ep));

    /* DEALER -> ROUTER: the router prepends the peer's routing id. */
    tu_send_str(dealer, "hello", ZMQ_SNDMORE);
    tu_send_str(dealer, "there", 0);
    tu_recv_expect(router, "D1", 1);
    tu_recv_expect(router, "hello", 1);
    tu_recv_expect(router, "there", 0);
    /* ROUTER -> DEALER: the first frame picks the peer and is stripped. */
    tu_send_str(router, "D1", ZMQ_SNDMORE);
    tu_send_str(router, "back", 0);
    tu_recv_expect(dealer, "back", 0);

    /* REQ -> ROUTER: routing id, empty delimiter, body. */
    tu_send_str(req, "question", 0);
    tu_recv_expect(router, "R1", 1);
    tu_recv_expect(router, "", 1);
    tu_recv_expect(router, "question", 0);
    tu_send_str(router, "R1", ZMQ_SNDMORE);
    tu_send_str(router, "", ZMQ_SNDMORE);
    tu_send_str(router, "answer", 0);
    tu_recv_expect(req, "answer", 0);

    /* ROUTER_MANDATORY: an unknown routing id fails the first frame with EHOSTUNREACH. */
    CHECK_ERR(zmq_send(router, "nobody", 6, ZMQ_SNDMORE), EHOSTUNREACH);
    CHECK_ERR(zmq_send(router, "nobody", 6, ZMQ_SNDMORE | ZMQ_DONTWAIT), EHOSTUNREACH);
    /* ... and the socket is still usable. */
    tu_send_str(router, "D1", ZMQ_SNDMORE);
    tu_send_str(router, "still there", 0);
    tu_recv_expect(dealer, "still there", 0);

    /* Without ROUTER_MANDATORY, messages to unknown peers are silently dropped. */
    void *lax = tu_socket(ctx, ZMQ_ROUTER);
    char ep2[256];
    tu_bind(lax, tr, ep2, sizeof ep2);
    CHECK_EQ_INT(zmq_send(lax, "nobody", 6, ZMQ_SNDMORE), 6);
    CHECK_EQ_INT(zmq_send(lax, "dropped", 7, 0), 7);

    /* DEALER without a routing id: the router makes one up (5 bytes, first byte 0). */
    void *anon = tu_socket(ctx, ZMQ_DEALER);
    CHECK_OK(zmq_connect(anon, ep2));
    tu_send_str(anon, "anon", 0);
    zmq_msg_t id;
    CHECK_OK(zmq_msg_init(&id));
    CHECK_OK(zmq_msg_recv(&id, lax, 0));
    CHECK(zmq_msg_more(&id));
    CHECK_EQ_INT(zmq_msg_size(&id), 5);
    CHECK_EQ_INT(((unsigned char *) zmq_msg_data(&id))[0], 0);
    tu_recv_expect(lax, "anon", 0);
    CHECK_OK(zmq_msg_send(&id, lax, ZMQ_SNDMORE));
    tu_send_str(lax, "reply", 0);
    tu_recv_expect(anon, "reply", 0);
    CHECK_OK(zmq_msg_close(&id));

    tu_close(anon);
    tu_close(lax);
    tu_close(req);
    tu_close(dealer);
    tu_close(router);
}

static void pair(void *ctx, const char *tr) {
    char ep[256];
    void *a = tu_socket(ctx, ZMQ_PAIR);
    void *b = tu_socket(ctx, ZMQ_PAIR);
    tu_bind(a, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(b, ep));
    tu_send_str(b, "ping", 0);
    tu_recv_expect(a, "ping", 0);
    tu_send_str(a, "pong", ZMQ_SNDMORE);
    tu_send_str(a, "more", 0);
    tu_recv_expect(b, "pong", 1);
    tu_recv_expect(b, "more", 0);
    tu_close(b);
    tu_close(a);
}

static void xpub_xsub(void *ctx, const char *tr) {
    char ep[256], ep2[256];
    /* XPUB sees subscription messages: 0x01 + topic, 0x00 + topic. */
    void *xpub = tu_socket(ctx, ZMQ_XPUB);
    void *sub = tu_socket(ctx, ZMQ_SUB);
    tu_bind(xpub, tr, ep, sizeof ep);
    CHECK_OK(zmq_connect(sub, ep));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "abc", 3));
    char buf[64];
    CHECK_EQ_INT(zmq_recv(xpub, buf, sizeof buf, 0), 4);
    CHECK_MEM(buf, 4, "\x01" "abc", 4);
    /* Now the subscription is known to the publisher: filtering works at once. */
    tu_send_str(xpub, "xyz", 0);
    tu_send_str(xpub, "abcdef", 0);
    tu_recv_expect(sub, "abcdef", 0);
    /* A duplicate subscription is not forwarded again (no XPUB_VERBOSE). */
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "abc", 3));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "q", 1));
    CHECK_EQ_INT(zmq_recv(xpub, buf, sizeof buf, 0), 2);
    CHECK_MEM(buf, 2, "\x01q", 2);
    /* Unsubscribing: once per subscribe on the SUB side, forwarded when the count drops
     * to zero. */
    CHECK_OK(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "abc", 3));
    CHECK_OK(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "abc", 3));
    CHECK_EQ_INT(zmq_recv(xpub, buf, sizeof buf, 0), 4);
    CHECK_MEM(buf, 4, "\x00" "abc", 4);
    CHECK_EQ_INT(tu_get_int(xpub, ZMQ_RCVMORE), 0);

    /* XSUB subscribes by sending 0x01 + topic upstream. */
    void *pub = tu_socket(ctx, ZMQ_PUB);
    void *xsub = tu_socket(ctx, ZMQ_XSUB);
    tu_bind(pub, tr, ep2, sizeof ep2);
    CHECK_OK(zmq_connect(xsub, ep2));
    CHECK_EQ_INT(zmq_send(xsub, "\x01" "top", 4, 0), 4);
    pubsub_sync(pub, xsub, "top sync");
    pubsub_flush(pub, xsub, NULL, "top flush");
    tu_send_str(pub, "other", 0);
    tu_send_str(pub, "top 1", 0);
    tu_recv_expect(xsub, "top 1", 0);
    /* XSUB unsubscribes with 0x00 + topic. */
    CHECK_EQ_INT(zmq_send(xsub, "\x00" "top", 4, 0), 4);
    CHECK_EQ_INT(zmq_send(xsub, "\x01" "mark", 5, 0), 5);
    pubsub_sync(pub, xsub, "mark");
    pubsub_flush(pub, xsub, NULL, "mark flush");
    tu_send_str(pub, "top 2", 0);
    tu_send_str(pub, "mark 2", 0);
    tu_recv_expect(xsub, "mark 2", 0);

    tu_close(xsub);
    tu_close(pub);
    tu_close(sub);
    tu_close(xpub);
}

/* Whether this host can bind ::1 at all (checked with a plain socket, not with zmq). */
static int have_ipv6_loopback(void) {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    int ok = bind(fd, (struct sockaddr *) &a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* tcp over ::1 with ZMQ_IPV6 set: LAST_ENDPOINT is tcp://[::1]:port. Without ZMQ_IPV6 the
 * IPv6 address does not resolve: libzmq fails the bind with ENODEV. */
static void ipv6(void *ctx) {
    void *pull = tu_socket(ctx, ZMQ_PULL);
    void *push = tu_socket(ctx, ZMQ_PUSH);
    tu_set_int(pull, ZMQ_IPV6, 1);
    tu_set_int(push, ZMQ_IPV6, 1);
    CHECK_OK(zmq_bind(pull, "tcp://[::1]:*"));
    char ep[256];
    size_t len = sizeof ep;
    CHECK_OK(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len));
    CHECK(strncmp(ep, "tcp://[::1]:", 12) == 0);
    CHECK_OK(zmq_connect(push, ep));
    tu_send_str(push, "over ipv6", ZMQ_SNDMORE);
    tu_send_str(push, "2", 0);
    tu_recv_expect(pull, "over ipv6", 1);
    tu_recv_expect(pull, "2", 0);
    void *v4only = tu_socket(ctx, ZMQ_PULL);
    CHECK_ERR(zmq_bind(v4only, "tcp://[::1]:*"), ENODEV);
    tu_close(v4only);
    tu_close(push);
    tu_close(pull);
}

int main(void) {
    tu_init("test_patterns", 120);
    void *ctx = zmq_ctx_new();
    CHECK(ctx != NULL);
    for (int t = 0; t < TU_NTRANSPORTS; t++) {
        const char *tr = TU_TRANSPORTS[t];
        char what[64];
        push_pull(ctx, tr);
        snprintf(what, sizeof what, "PUSH/PULL over %s", tr);
        TU_PASS(what);
        pub_sub(ctx, tr);
        snprintf(what, sizeof what, "PUB/SUB over %s", tr);
        TU_PASS(what);
        req_rep(ctx, tr);
        snprintf(what, sizeof what, "REQ/REP over %s", tr);
        TU_PASS(what);
        dealer_router(ctx, tr);
        snprintf(what, sizeof what, "DEALER/ROUTER over %s", tr);
        TU_PASS(what);
        pair(ctx, tr);
        snprintf(what, sizeof what, "PAIR over %s", tr);
        TU_PASS(what);
        xpub_xsub(ctx, tr);
        snprintf(what, sizeof what, "XPUB/XSUB over %s", tr);
        TU_PASS(what);
    }
    if (have_ipv6_loopback()) {
        ipv6(ctx);
        TU_PASS("PUSH/PULL over tcp://[::1]");
    } else {
        printf("test_patterns: skipped: ::1 cannot be bound on this host\n");
    }
    CHECK_OK(zmq_ctx_term(ctx));
    return 0;
}
