/**
 * A fast static HTTP backend for the router benchmark, run as a real OpenRunner service.
 *
 * The busybox hello app (test/support/app-images.ts) forks per connection and closes every
 * connection (`Connection: close`): about 400 requests/s with a 28 ms p50 under wrk on the
 * 2-core machine, so a proxy's cost (tens of microseconds) would drown in it. This one is
 * ~100 lines of C: epoll, keep-alive, pipelining, a fixed 6-byte "hello\n" body, $WORKERS
 * processes on one SO_REUSEPORT port ($PORT). It is compiled with the host's gcc as a static
 * binary (no libraries in the image) and pushed as an image with nothing else in it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildAndPushImage, type PushedImage } from "../../test/support/oci-image.js";
import { which } from "./wrk.js";

const run = promisify(execFile);

export const FAST_BACKEND_BODY = "hello\n";

export const FAST_BACKEND_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXFD 65536
#define BUF 8192
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n";
static const char RESP_CLOSE[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";
struct conn { int len; char buf[BUF]; };
static struct conn *conns[MAXFD];

static int listener(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  struct sockaddr_in a; memset(&a, 0, sizeof a);
  a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4096)) { perror("listen"); exit(1); }
  return s;
}

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL); close(fd);
  if (fd < MAXFD && conns[fd]) { free(conns[fd]); conns[fd] = NULL; }
}

/* Answers every complete request head in the buffer; returns -1 to close the connection. */
static int serve(int fd, struct conn *c) {
  char out[BUF * 2]; int olen = 0, start = 0, closing = 0;
  for (;;) {
    char *end = memmem(c->buf + start, c->len - start, "\r\n\r\n", 4);
    if (!end) break;
    *end = 0;
    if (strcasestr(c->buf + start, "\nconnection: close")) closing = 1;
    const char *r = closing ? RESP_CLOSE : RESP; int rl = closing ? sizeof RESP_CLOSE - 1 : sizeof RESP - 1;
    if (olen + rl > (int)sizeof out) return -1;
    memcpy(out + olen, r, rl); olen += rl;
    start = (int)(end - c->buf) + 4;
    if (closing) break;
  }
  if (olen > 0 && write(fd, out, olen) != olen) return -1;
  if (closing) return -1;
  memmove(c->buf, c->buf + start, c->len - start); c->len -= start;
  return c->len >= BUF - 1 ? -1 : 0;
}

static void loop(int port) {
  int ls = listener(port), ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN }, evs[512];
  ev.data.fd = ls; epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  for (;;) {
    int n = epoll_wait(ep, evs, 512, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        for (;;) {
          int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
          if (c < 0) break;
          if (c >= MAXFD) { close(c); continue; }
          int one = 1; setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conns[c] = calloc(1, sizeof(struct conn));
          struct epoll_event ce = { .events = EPOLLIN | EPOLLRDHUP }; ce.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
        }
        continue;
      }
      struct conn *c = conns[fd];
      int r = c ? (int)read(fd, c->buf + c->len, BUF - 1 - c->len) : 0;
      if (r <= 0) { if (r < 0 && errno == EAGAIN) continue; drop(ep, fd); continue; }
      c->len += r;
      if (serve(fd, c) < 0) drop(ep, fd);
    }
  }
}

int main(void) {
  int port = getenv("PORT") ? atoi(getenv("PORT")) : 8080;
  int workers = getenv("WORKERS") ? atoi(getenv("WORKERS")) : 1;
  if (workers < 1) workers = 1;
  printf("fast backend: %d worker(s) on port %d\n", workers, port); fflush(stdout);
  for (int w = 1; w < workers; w++) if (fork() == 0) loop(port);
  loop(port);
  return 0;
}
`;

export const findGcc = (): string | undefined => which("gcc");

/** Compiles the server statically (host gcc) and pushes an image with only that binary. */
export async function pushFastBackend(registry: string, repo: string, tag: string): Promise<PushedImage> {
  const gcc = findGcc();
  if (!gcc) throw new Error("gcc is not installed (Debian: apt-get install gcc libc6-dev); the benchmark does not install it");
  const dir = await mkdtemp(join(tmpdir(), "openrunner-bench-fast-"));
  try {
    await writeFile(join(dir, "fast.c"), FAST_BACKEND_C);
    await run(gcc, ["-O2", "-static", "-o", join(dir, "fast"), join(dir, "fast.c")]);
    const binary = await readFile(join(dir, "fast"));
    return await buildAndPushImage(registry, repo, tag, {
      files: { "/fast": { content: binary, mode: 0o755 } },
      cmd: ["/fast"],
      exposedPorts: [8080],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
