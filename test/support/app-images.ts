import { buildAndPushImage, type PushedImage } from "./oci-image.js";

/**
 * Small web apps for runtime tests, built on the host's static busybox: an httpd that serves
 * `/` and a CGI script showing an environment variable, so a test can tell versions and
 * configuration apart by the body alone.
 */
const cgi = (body: string): { content: string; mode: number } => ({
  // busybox httpd relays CGI headers as written: end them with CRLF for strict HTTP clients.
  content: `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n${body}\n`,
  mode: 0o755,
});

/** Listens on $PORT; `/` says `version`, `/cgi-bin/env` says `MESSAGE=<value>`, `/cgi-bin/oom` allocates 700 MB. */
export function pushHelloApp(registry: string, repo: string, tag: string, version: string): Promise<PushedImage> {
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: {
      "/www/index.html": `${version}\n`,
      "/www/cgi-bin/env": cgi('echo "MESSAGE=$MESSAGE"'),
      // tail -c keeps the last N bytes of an endless stream in memory: 700 MB, past a 512 MB limit.
      "/www/cgi-bin/oom": cgi("busybox tail -c 700000000 /dev/zero | busybox wc -c"),
    },
    cmd: ["/bin/sh", "-c", 'echo "hello app starting on port $PORT"; exec busybox httpd -f -vv -p "$PORT" -h /www'],
    exposedPorts: [8080],
  });
}

/** Ignores PORT and always listens on 8080, as many images do. */
export function pushFixedPortApp(registry: string, repo: string, tag: string, version: string): Promise<PushedImage> {
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: { "/www/index.html": `${version}\n` },
    entrypoint: ["/bin/busybox"],
    cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
  });
}

/** Crashes at once with exit code 3 after printing a reason. */
export function pushCrashingApp(registry: string, repo: string, tag: string): Promise<PushedImage> {
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    cmd: ["/bin/sh", "-c", "echo 'fatal: cannot read configuration' >&2; exit 3"],
  });
}
