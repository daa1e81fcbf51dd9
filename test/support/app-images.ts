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
      "/www/cgi-bin/headers": cgi("busybox env | busybox grep '^HTTP_' | busybox sort"),
      // tail -c keeps the last N bytes of an endless stream in memory: 700 MB, past a 512 MB limit.
      "/www/cgi-bin/oom": cgi("busybox tail -c 700000000 /dev/zero | busybox wc -c"),
    },
    cmd: ["/bin/sh", "-c", 'echo "hello app starting on port $PORT"; exec busybox httpd -f -vv -p "$PORT" -h /www'],
    exposedPorts: [8080],
  });
}

/** Listens on $PORT and answers every request to `/` with 500 (a new version that is broken), through busybox httpd's cgi-bin/index.cgi. */
export function pushFailingApp(registry: string, repo: string, tag: string): Promise<PushedImage> {
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: {
      // Output that starts with "HTTP/" is relayed as it is: the status line is the script's.
      "/www/cgi-bin/index.cgi": { content: "#!/bin/sh\nprintf 'HTTP/1.0 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nbroken\\n'\n", mode: 0o755 },
    },
    cmd: ["/bin/sh", "-c", 'exec busybox httpd -f -p "$PORT" -h /www'],
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

/**
 * The hello app until a file `/crash` appears in its image: then every new instance exits at
 * once with code 3 (a test turns a service's image into a crashing one without a deployment).
 */
export function pushCrashLaterApp(registry: string, repo: string, tag: string): Promise<PushedImage> {
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: { "/www/index.html": "crash-later\n" },
    cmd: ["/bin/sh", "-c", 'if [ -e /crash ]; then echo "fatal: /crash says so" >&2; exit 3; fi; exec busybox httpd -f -p "$PORT" -h /www'],
    exposedPorts: [8080],
  });
}

/**
 * `/cgi-bin/slow` holds each request `SLOW_MS` (default 300) and counts requests in flight on
 * this instance; `/cgi-bin/max` tells the most it ever saw at once (a mkdir lock: busybox has
 * no flock). For the router's concurrency cap and for load that makes the autoscaler act.
 */
export function pushConcurrencyApp(registry: string, repo: string, tag: string): Promise<PushedImage> {
  const lock = "until busybox mkdir /tmp/lock 2>/dev/null; do busybox usleep 1000; done";
  const unlock = "busybox rmdir /tmp/lock";
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: {
      "/www/index.html": "concurrency\n",
      "/tmp/.keep": "",
      "/www/cgi-bin/slow": cgi(
        [
          `${lock}; n=$(( $(busybox cat /tmp/n 2>/dev/null || echo 0) + 1 )); echo $n > /tmp/n`,
          `m=$(busybox cat /tmp/max 2>/dev/null || echo 0); [ $n -gt $m ] && echo $n > /tmp/max; ${unlock}`,
          'busybox usleep $(( ${SLOW_MS:-300} * 1000 ))',
          `${lock}; echo $(( $(busybox cat /tmp/n) - 1 )) > /tmp/n; ${unlock}`,
          `echo "slow done on $(busybox hostname)"`,
        ].join("\n"),
      ),
      "/www/cgi-bin/max": cgi("busybox cat /tmp/max 2>/dev/null || echo 0"),
    },
    cmd: ["/bin/sh", "-c", 'exec busybox httpd -f -p "$PORT" -h /www'],
  });
}

/** Answers a WebSocket handshake (a real Sec-WebSocket-Accept) and then echoes every byte back. */
export function pushWebSocketApp(registry: string, repo: string, tag: string): Promise<PushedImage> {
  const ws = [
    "#!/bin/sh",
    "key=''",
    "while IFS= read -r line; do",
    '  line=$(printf "%s" "$line" | busybox tr -d "\\r")',
    '  [ -z "$line" ] && break',
    '  case "$line" in [Ss]ec-[Ww]eb[Ss]ocket-[Kk]ey:*) key=$(printf "%s" "${line#*:}" | busybox tr -d " ");; esac',
    "done",
    'accept=$(printf "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11" "$key" | busybox sha1sum | busybox cut -c1-40 | busybox xxd -r -p | busybox base64)',
    'printf "HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: %s\\r\\n\\r\\n" "$accept"',
    "exec busybox cat",
  ].join("\n");
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: { "/ws.sh": { content: `${ws}\n`, mode: 0o755 } },
    cmd: ["/bin/sh", "-c", 'exec busybox nc -ll -p "$PORT" -e /ws.sh'],
  });
}

/** Like the hello app, but listens only `delaySeconds` after it starts: a replacement that takes its time. */
export function pushSlowStartApp(registry: string, repo: string, tag: string, delaySeconds: number): Promise<PushedImage> {
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: { "/www/index.html": "slow\n" },
    cmd: ["/bin/sh", "-c", `busybox sleep ${delaySeconds}; exec busybox httpd -f -p "$PORT" -h /www`],
  });
}
