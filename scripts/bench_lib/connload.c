/*
 * connload.c — new-connection rate: each operation opens a fresh TCP
 * connection, sends one small HTTP request, reads the whole fixed response
 * (status 200, then Content-Length bytes of body), and closes. THREADS workers loop
 * for SECONDS; every socket call has a 3 s timeout, so the run is bounded.
 *
 * usage: connload HOST PORT THREADS SECONDS [HOST_HEADER]
 * prints: {"ok": N, "errors": N, "seconds": S, "per_s": R}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in target;
static double deadline;
static char request[512];
static size_t request_len;
static atomic_long ok_count, err_count;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int one_exchange(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval tv = {.tv_sec = 3};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = -1;
    if (connect(fd, (struct sockaddr *)&target, sizeof target) < 0) goto out;
    if (write(fd, request, request_len) != (ssize_t)request_len) goto out;
    /* Read the head, then exactly Content-Length bytes of body. */
    char buf[4096];
    size_t got = 0, total = 0;
    while (total == 0 || got < total) {
        if (got >= sizeof buf - 1) goto out;
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0) goto out;
        got += (size_t)r;
        buf[got] = 0;
        if (total == 0) {
            char *end = strstr(buf, "\r\n\r\n");
            if (end == NULL) continue;
            if (memcmp(buf, "HTTP/1.1 200", 12) != 0) goto out;
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            if (cl == NULL || cl > end) goto out;
            total = (size_t)(end + 4 - buf) + (size_t)atol(cl + 17);
        }
    }
    if (got == total) rc = 0;
out:
    close(fd);
    return rc;
}

static void *worker(void *arg) {
    (void)arg;
    while (now() < deadline) {
        if (one_exchange() == 0) atomic_fetch_add(&ok_count, 1);
        else {
            atomic_fetch_add(&err_count, 1);
            usleep(1000); /* do not spin on a dead target */
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: connload HOST PORT THREADS SECONDS [HOST_HEADER]\n"); return 2; }
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) { fprintf(stderr, "connload: bad IPv4 address %s\n", argv[1]); return 2; }
    int threads = atoi(argv[3]);
    double seconds = atof(argv[4]);
    const char *host = argc > 5 ? argv[5] : "bench";
    if (threads < 1 || threads > 256 || seconds <= 0 || seconds > 600) { fprintf(stderr, "connload: bad arguments\n"); return 2; }
    request_len = (size_t)snprintf(request, sizeof request, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
    double start = now();
    deadline = start + seconds;
    pthread_t t[256];
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    double elapsed = now() - start;
    long ok = atomic_load(&ok_count), err = atomic_load(&err_count);
    printf("{\"ok\": %ld, \"errors\": %ld, \"seconds\": %.3f, \"per_s\": %.1f}\n", ok, err, elapsed, ok / elapsed);
    return 0;
}
