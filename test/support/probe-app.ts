import { buildAndPushImage, type PushedImage } from "./oci-image.js";

/**
 * Apps that look at the network and the file system from inside: an image (busybox httpd with
 * CGI scripts) for instances, and a Node.js source repository whose build probes the same
 * targets, for the egress and isolation tests. Targets are `host:port` lists; each attempt is a
 * real connect() from inside the namespace, reported with how it failed.
 */
const cgi = (body: string): { content: string; mode: number } => ({
  content: `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec 2>&1\n${body}\n`,
  mode: 0o755,
});

/**
 * `/cgi-bin/egress`: resolves registry.npmjs.org and connects to it; `/cgi-bin/probe?h:p,h:p`:
 * one `nc` per target; `/cgi-bin/fill`: writes 64 MB to its own file system; `/cgi-bin/mountinfo`.
 */
export function pushProbeApp(registry: string, repo: string, tag: string): Promise<PushedImage> {
  return buildAndPushImage(registry, repo, tag, {
    busybox: true,
    files: {
      "/www/index.html": "probe\n",
      "/tmp/.keep": "",
      // busybox's own TLS cannot talk to the registry: resolve it and open a TCP connection to it
      // here; the Node.js app of buildProbeRepo fetches over HTTPS.
      "/www/cgi-bin/egress": cgi(
        ["busybox nslookup registry.npmjs.org; echo nslookup=$?", "busybox nc -w 10 registry.npmjs.org 443 </dev/null; echo nc=$?"].join("\n"),
      ),
      "/www/cgi-bin/probe": cgi(
        [
          'for t in $(echo "$QUERY_STRING" | busybox tr "," " "); do',
          '  out=$(busybox nc -w 3 "${t%:*}" "${t##*:}" </dev/null 2>&1); echo "$t exit=$? $out"',
          "done",
        ].join("\n"),
      ),
      "/www/cgi-bin/fill": cgi("busybox dd if=/dev/zero of=/tmp/fill bs=1M count=64; echo dd=$?; busybox rm -f /tmp/fill"),
      "/www/cgi-bin/mountinfo": cgi("busybox cat /proc/self/mountinfo"),
    },
    cmd: ["/bin/sh", "-c", 'exec busybox httpd -f -p "$PORT" -h /www'],
  });
}

/**
 * A Node.js service whose build installs a package from the npm registry and tries every target
 * in TARGETS (`GATEWAY` stands for the build's own gateway, the host's end of its veth), writing
 * what happened to probe.json, which the running app serves at `/`. At `/fetch` the running
 * instance resolves registry.npmjs.org and fetches https://registry.npmjs.org/ itself.
 */
export function buildProbeRepo(targets: string[], caBundle?: string): Record<string, string> {
  return {
    // This host may reach the registry through a TLS-inspecting proxy: the app trusts what the
    // host trusts (builds get the host's bundle from OpenRunner; a running app has its image's).
    ...(caBundle ? { "ca.pem": caBundle } : {}),
    "package.json": JSON.stringify({ name: "build-probe", version: "1.0.0", private: true, dependencies: { ms: "2.1.3" } }),
    // YAML flow style: the same document as the block style other tests write.
    "apprunner.yaml": [
      "version: 1.0",
      "runtime: nodejs18",
      `build: { commands: { build: [npm install, node probe.js] }, env: [{ name: TARGETS, value: "${targets.join(",")}" }] }`,
      "run:",
      "  command: node server.js",
      "  network: { port: 8080 }",
      ...(caBundle ? ["  env: [{ name: NODE_EXTRA_CA_CERTS, value: /app/ca.pem }]"] : []),
      "",
    ].join("\n"),
    "probe.js": [
      'const fs = require("fs");',
      'const net = require("net");',
      "// The default route's gateway from /proc/net/route (hex, little-endian).",
      'const route = fs.readFileSync("/proc/net/route", "utf8").split("\\n").find((l) => l.split("\\t")[1] === "00000000");',
      'const hex = route.split("\\t")[2];',
      'const gateway = [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");',
      "const attempt = (host, port) => new Promise((done) => {",
      "  const s = net.connect({ host, port: Number(port), timeout: 5000 });",
      '  s.on("connect", () => { s.destroy(); done("connected"); });',
      '  s.on("error", (e) => done(e.code));',
      '  s.on("timeout", () => { s.destroy(); done("timeout"); });',
      "});",
      "(async () => {",
      "  const out = { gateway, uidMap: fs.readFileSync(\"/proc/self/uid_map\", \"utf8\").trim(), ms: require(\"ms\")(60000), targets: {} };",
      '  for (const t of process.env.TARGETS.split(",")) {',
      '    const [host, port] = t.replace("GATEWAY", gateway).split(":");',
      "    out.targets[t] = await attempt(host, port);",
      "  }",
      "  // The body is read to its end: an unread one keeps the connection, and the build, open.",
      '  out.registry = await fetch("https://registry.npmjs.org/ms").then(async (r) => (await r.arrayBuffer(), r.status), (e) => String(e.cause?.code ?? e));',
      '  fs.writeFileSync("probe.json", JSON.stringify(out));',
      "  console.log(JSON.stringify(out));",
      "  process.exit(0);",
      "})();",
      "",
    ].join("\n"),
    "server.js": [
      'const dns = require("dns").promises;',
      "const fetchRegistry = async () => {",
      '  const { address } = await dns.lookup("registry.npmjs.org", 4);',
      '  const r = await fetch("https://registry.npmjs.org/");',
      "  return { address, status: r.status, bytes: (await r.arrayBuffer()).byteLength };",
      "};",
      'require("http").createServer(async (req, res) => {',
      '  if (req.url !== "/fetch") return res.end(require("fs").readFileSync("probe.json"));',
      "  res.end(JSON.stringify(await fetchRegistry().catch((e) => ({ error: String(e.cause?.code ?? e) }))));",
      "}).listen(Number(process.env.PORT));",
      "",
    ].join("\n"),
  };
}
