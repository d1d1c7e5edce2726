/*
 * httpd.c — the benchmark's local HTTP service (the same one behind all three paths).
 *
 * Why not python's http.server or nginx: python tops out at a few thousand
 * requests/s on one core, which would measure python rather than the tunnel;
 * nginx would need an apt install and a config. This is ~150 lines of C,
 * compiled by scripts/bench with gcc into its temp dir in well under a second:
 * one thread, epoll, keep-alive, a fixed 13-byte body. It answers every
 * complete request head ("\r\n\r\n") it reads with one response, so it also
 * serves pipelined and one-shot clients.
 *
 * usage: httpd            binds 127.0.0.1:0, prints "PORT\n" on stdout, serves until killed
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "Hello, world\n";
#define RESPONSE_LEN (sizeof(RESPONSE) - 1)

#define MAX_FD 65536
/* Per connection: how far into "\r\n\r\n" the previous read ended, and the
   bytes of responses the kernel has not taken yet. */
struct conn {
    unsigned char match;
    size_t pending;
};
static struct conn conns[MAX_FD];
static const char TERM[4] = {'\r', '\n', '\r', '\n'};

static void close_conn(int ep, int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    conns[fd].match = 0;
    conns[fd].pending = 0;
}

/* Writes `pending` bytes of responses; returns -1 on error, else bytes still pending. */
static long flush_out(int fd, size_t pending) {
    static char out[RESPONSE_LEN * 64];
    while (pending > 0) {
        size_t n = pending < 64 ? pending : 64; /* in responses */
        size_t bytes = 0;
        for (size_t i = 0; i < n; i++) {
            memcpy(out + bytes, RESPONSE, RESPONSE_LEN);
            bytes += RESPONSE_LEN;
        }
        ssize_t w = write(fd, out, bytes);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return (long)pending;
            if (errno == EINTR) continue;
            return -1;
        }
        if ((size_t)w < bytes) {
            /* Partial write of a batch: a tiny response on loopback makes this
               rare; treat the rest of the batch as still owed. Responses are
               identical, so finishing a cut response by re-sending from its
               start would corrupt the stream; write the tail synchronously. */
            size_t rest = bytes - (size_t)w;
            const char *p = out + w;
            while (rest > 0) {
                ssize_t w2 = write(fd, p, rest);
                if (w2 < 0) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { usleep(100); continue; }
                    return -1;
                }
                rest -= (size_t)w2;
                p += w2;
            }
        }
        pending -= n;
    }
    return 0;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 4096) < 0) { perror("httpd: bind/listen"); return 1; }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event evs[256];
    char buf[65536];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0) { if (errno == EINTR) continue; perror("httpd: epoll_wait"); return 1; }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                for (;;) {
                    int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
                    if (c < 0) break;
                    if (c >= MAX_FD) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[c].match = 0;
                    conns[c].pending = 0;
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            struct conn *cn = &conns[fd];
            if (evs[i].events & EPOLLOUT) {
                long left = flush_out(fd, cn->pending);
                if (left < 0) { close_conn(ep, fd); continue; }
                cn->pending = (size_t)left;
                if (left == 0) {
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = fd};
                    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ce);
                }
            }
            if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                int closed = 0;
                for (;;) {
                    ssize_t r = read(fd, buf, sizeof buf);
                    if (r == 0) { closed = 1; break; }
                    if (r < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                        if (errno == EINTR) continue;
                        closed = 1;
                        break;
                    }
                    for (ssize_t k = 0; k < r; k++) {
                        if (buf[k] == TERM[cn->match]) {
                            if (++cn->match == 4) { cn->pending++; cn->match = 0; }
                        } else {
                            cn->match = (buf[k] == '\r') ? 1 : 0;
                        }
                    }
                    if ((size_t)r < sizeof buf) break;
                }
                if (cn->pending > 0) {
                    long left = flush_out(fd, cn->pending);
                    if (left < 0) { close_conn(ep, fd); continue; }
                    cn->pending = (size_t)left;
                    if (left > 0) {
                        struct epoll_event ce = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.fd = fd};
                        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ce);
                    }
                }
                if (closed) close_conn(ep, fd);
            }
        }
    }
}
