/*
 * delayproxy.c — a TCP proxy that holds every chunk it reads for DELAY_MS
 * before writing it on, in each direction: with 20 ms that is a 40 ms round
 * trip, a long fat link on loopback (this kernel has no netem qdisc).
 *
 * The proxy reads eagerly, so loopback TCP never throttles the sender; what
 * is in flight is bounded by the application's own flow control (SSH channel
 * windows), as on a real long link. A hard cap of 64 MiB queued per direction
 * keeps memory bounded.
 *
 * Per connection and direction: a reader thread stamps each chunk with its
 * arrival time and queues it; a writer thread sleeps until arrival + delay and
 * writes it. EOF is forwarded (shutdown(SHUT_WR)) in order, after the data.
 *
 * usage: delayproxy TARGET_HOST TARGET_PORT DELAY_MS
 *        binds 127.0.0.1:0, prints "PORT\n", serves until killed
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (256 * 1024)
#define QUEUE_CAP (64L * 1024 * 1024)

static struct sockaddr_in target;
static long delay_ns;

struct chunk {
    struct chunk *next;
    struct timespec due;
    size_t len; /* 0 = EOF marker */
    char data[];
};

struct pipe_dir {
    int from, to;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *head, *tail;
    long queued;
    int dead;
    struct session *s;
};

struct session {
    struct pipe_dir up, down;
    pthread_mutex_t mu;
    int refs; /* four threads */
};

static void session_release(struct session *s) {
    pthread_mutex_lock(&s->mu);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&s->mu);
    if (!last) return;
    close(s->up.from);
    close(s->up.to);
    struct pipe_dir *ds[2] = {&s->up, &s->down};
    for (int i = 0; i < 2; i++) {
        struct chunk *c = ds[i]->head;
        while (c) { struct chunk *n = c->next; free(c); c = n; }
    }
    free(s);
}

/* Any failure tears down the whole session: both sockets shut, both queues dead. */
static void kill_session(struct session *s) {
    shutdown(s->up.from, SHUT_RDWR);
    shutdown(s->up.to, SHUT_RDWR);
    struct pipe_dir *ds[2] = {&s->up, &s->down};
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&ds[i]->mu);
        ds[i]->dead = 1;
        pthread_cond_broadcast(&ds[i]->cv);
        pthread_mutex_unlock(&ds[i]->mu);
    }
}

static void add_ns(struct timespec *t, long ns) {
    t->tv_nsec += ns;
    while (t->tv_nsec >= 1000000000L) { t->tv_nsec -= 1000000000L; t->tv_sec++; }
}

static void enqueue(struct pipe_dir *d, struct chunk *c) {
    pthread_mutex_lock(&d->mu);
    while (!d->dead && d->queued > QUEUE_CAP) pthread_cond_wait(&d->cv, &d->mu);
    c->next = NULL;
    if (d->tail) d->tail->next = c; else d->head = c;
    d->tail = c;
    d->queued += (long)c->len;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

static void *reader(void *arg) {
    struct pipe_dir *d = arg;
    for (;;) {
        struct chunk *c = malloc(sizeof *c + CHUNK);
        if (!c) { kill_session(d->s); break; }
        ssize_t r;
        do { r = read(d->from, c->data, CHUNK); } while (r < 0 && errno == EINTR);
        clock_gettime(CLOCK_MONOTONIC, &c->due);
        add_ns(&c->due, delay_ns);
        if (r <= 0) {
            c->len = 0;
            enqueue(d, c);
            break;
        }
        c->len = (size_t)r;
        /* Shrink to what was read so queued memory matches the bytes. */
        if ((size_t)r < CHUNK / 4) {
            struct chunk *small = realloc(c, sizeof *c + (size_t)r);
            if (small) c = small;
        }
        enqueue(d, c);
    }
    session_release(d->s);
    return NULL;
}

static void *writer(void *arg) {
    struct pipe_dir *d = arg;
    for (;;) {
        pthread_mutex_lock(&d->mu);
        while (!d->dead && d->head == NULL) pthread_cond_wait(&d->cv, &d->mu);
        if (d->dead) { pthread_mutex_unlock(&d->mu); break; }
        struct chunk *c = d->head;
        d->head = c->next;
        if (!d->head) d->tail = NULL;
        d->queued -= (long)c->len;
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);

        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &c->due, NULL) == EINTR) {}
        if (c->len == 0) {
            free(c);
            shutdown(d->to, SHUT_WR);
            break;
        }
        size_t off = 0;
        int failed = 0;
        while (off < c->len) {
            ssize_t w = write(d->to, c->data + off, c->len - off);
            if (w < 0) { if (errno == EINTR) continue; failed = 1; break; }
            off += (size_t)w;
        }
        free(c);
        if (failed) { kill_session(d->s); break; }
    }
    session_release(d->s);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: delayproxy TARGET_HOST TARGET_PORT DELAY_MS\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) { fprintf(stderr, "delayproxy: bad IPv4 address %s\n", argv[1]); return 2; }
    delay_ns = atol(argv[3]) * 1000000L;

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 128) < 0) { perror("delayproxy: bind/listen"); return 1; }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);

    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) { if (errno == EINTR || errno == ECONNABORTED) continue; perror("delayproxy: accept"); return 1; }
        int t = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(t, (struct sockaddr *)&target, sizeof target) < 0) { perror("delayproxy: connect"); close(c); close(t); continue; }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct session *s = calloc(1, sizeof *s);
        pthread_mutex_init(&s->mu, NULL);
        s->refs = 4;
        s->up = (struct pipe_dir){.from = c, .to = t, .s = s};
        s->down = (struct pipe_dir){.from = t, .to = c, .s = s};
        pthread_mutex_init(&s->up.mu, NULL);
        pthread_cond_init(&s->up.cv, NULL);
        pthread_mutex_init(&s->down.mu, NULL);
        pthread_cond_init(&s->down.cv, NULL);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t th;
        pthread_create(&th, &attr, reader, &s->up);
        pthread_create(&th, &attr, writer, &s->up);
        pthread_create(&th, &attr, reader, &s->down);
        pthread_create(&th, &attr, writer, &s->down);
        pthread_attr_destroy(&attr);
    }
}
