import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lstat, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { chooseLinuxAmd64 } from "./manifest.js";
import { parseImageReference } from "./reference.js";
import { RegistryClient } from "./registry-client.js";
import type { RegistryConfig } from "./registry-config.js";

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** A tiny in-test registry on 127.0.0.1: each test installs its own handler. */
async function fakeServer(): Promise<{ host: string; server: Server; handle: (h: Handler) => void; requests: IncomingMessage[] }> {
  let handler: Handler = (_req, res) => res.writeHead(500).end();
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, new URL(req.url ?? "/", "http://x"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { host: `127.0.0.1:${port}`, server, handle: (h) => (handler = h), requests };
}

const digestOf = (data: Buffer | string): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
};
const errorBody = (code: string): unknown => ({ errors: [{ code, message: `${code.toLowerCase()} detail` }] });

const PASSWORD = "s3cret-Password!";
const TOKEN_SECRET = "static-token-XYZ";

const layer = Buffer.from("layer bytes");
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf("{}"), size: 2 },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digestOf(layer), size: layer.length }],
  }),
);

function assertAppError(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof AppRunnerError, String(err));
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    for (const secret of [PASSWORD, TOKEN_SECRET, Buffer.from(`user:${PASSWORD}`).toString("base64")]) {
      assert.ok(!err.message.includes(secret), `secret leaked: ${err.message}`);
    }
    return true;
  };
}

describe("RegistryClient against a fake registry", () => {
  let fake: Awaited<ReturnType<typeof fakeServer>>;
  let other: Awaited<ReturnType<typeof fakeServer>>;
  let dir: string;
  const client = (config: Partial<RegistryConfig> = {}): RegistryClient =>
    new RegistryClient({ config: { registries: {}, mirrors: {}, ...config }, requestTimeoutMs: 2000 });
  const withCreds = (): RegistryClient => client({ registries: { [fake.host]: { username: "user", password: PASSWORD } } });
  const ref = (path = "team/app:v1"): ReturnType<typeof parseImageReference> => parseImageReference(`${fake.host}/${path}`);

  before(async () => {
    fake = await fakeServer();
    other = await fakeServer();
    dir = await mkdtemp(join(tmpdir(), "openrunner-client-"));
  });
  after(async () => {
    fake.server.closeAllConnections();
    other.server.closeAllConnections();
    await new Promise((r) => fake.server.close(r));
    await new Promise((r) => other.server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("asks for every manifest type and takes the digest from the header or the body", async () => {
    let accept = "";
    let sendHeader = true;
    fake.handle((req, res) => {
      accept = req.headers.accept ?? "";
      const headers: Record<string, string> = { "Content-Type": "application/vnd.oci.image.manifest.v1+json" };
      if (sendHeader) headers["Docker-Content-Digest"] = digestOf(manifest);
      res.writeHead(200, headers).end(req.method === "HEAD" ? undefined : manifest);
    });
    assert.equal(await client().resolve(ref()), digestOf(manifest));
    for (const type of [
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
    ]) {
      assert.ok(accept.includes(type), type);
    }
    sendHeader = false;
    assert.equal(await client().resolve(ref()), digestOf(manifest));
    const fetched = await client().fetchManifest(ref(), digestOf(manifest));
    assert.equal(fetched.doc.kind, "manifest");
  });

  it("rejects a manifest whose body does not match the digest asked for", async () => {
    fake.handle((_req, res) => res.writeHead(200).end(manifest));
    const wrong = `sha256:${"0".repeat(64)}`;
    await assert.rejects(client().fetchManifest(ref(), wrong), assertAppError("ImagePullFailed", /does not match/));
  });

  it("gets a bearer token with basic credentials, caches it, and uses it", async () => {
    let tokenRequests = 0;
    let tokenAuth = "";
    let tokenQuery = "";
    fake.handle((req, res, url) => {
      if (url.pathname === "/token") {
        tokenRequests++;
        tokenAuth = req.headers.authorization ?? "";
        tokenQuery = url.search;
        return json(res, 200, { access_token: "tok-1", expires_in: 300 });
      }
      if (req.headers.authorization !== "Bearer tok-1") {
        return json(res, 401, errorBody("UNAUTHORIZED"), {
          "WWW-Authenticate": `Bearer realm="http://${fake.host}/token",service="fake",scope="repository:team/app:pull"`,
        });
      }
      res.writeHead(200, { "Docker-Content-Digest": digestOf(manifest) }).end(req.method === "HEAD" ? undefined : manifest);
    });
    const c = withCreds();
    assert.equal(await c.resolve(ref()), digestOf(manifest));
    assert.equal(await c.resolve(ref()), digestOf(manifest));
    await c.fetchManifest(ref(), "v1");
    assert.equal(tokenRequests, 1);
    assert.equal(tokenAuth, `Basic ${Buffer.from(`user:${PASSWORD}`).toString("base64")}`);
    assert.equal(tokenQuery, "?service=fake&scope=repository%3Ateam%2Fapp%3Apull");
  });

  it("gets anonymous bearer tokens (the `token` field) without credentials", async () => {
    fake.handle((req, res, url) => {
      if (url.pathname === "/token") {
        assert.equal(req.headers.authorization, undefined);
        return json(res, 200, { token: "anon" });
      }
      if (req.headers.authorization !== "Bearer anon") {
        return json(res, 401, errorBody("UNAUTHORIZED"), { "WWW-Authenticate": `Bearer realm="http://${fake.host}/token"` });
      }
      res.writeHead(200).end(manifest);
    });
    assert.equal((await client().fetchManifest(ref(), "v1")).digest, digestOf(manifest));
  });

  it("answers a Basic challenge with configured credentials", async () => {
    const expected = `Basic ${Buffer.from(`user:${PASSWORD}`).toString("base64")}`;
    fake.handle((req, res) => {
      if (req.headers.authorization !== expected) {
        return json(res, 401, errorBody("UNAUTHORIZED"), { "WWW-Authenticate": 'Basic realm="fake"' });
      }
      res.writeHead(200).end(manifest);
    });
    assert.equal((await withCreds().fetchManifest(ref(), "v1")).digest, digestOf(manifest));
    await assert.rejects(client().fetchManifest(ref(), "v1"), assertAppError("ImageAccessDenied", /no credentials are configured/));
  });

  it("maps refused credentials to ImageAccessDenied without revealing them", async () => {
    fake.handle((req, res, url) => {
      if (url.pathname === "/token") return json(res, 401, { details: `bad ${req.headers.authorization ?? ""}` });
      json(res, 401, errorBody("UNAUTHORIZED"), { "WWW-Authenticate": `Bearer realm="http://${fake.host}/token"` });
    });
    await assert.rejects(withCreds().resolve(ref()), assertAppError("ImageAccessDenied", /authentication was refused/));
    fake.handle((req, res) => json(res, 403, { errors: [{ code: "DENIED", message: `echo ${req.headers.authorization ?? ""}` }] }));
    await assert.rejects(
      client({ registries: { [fake.host]: { token: TOKEN_SECRET } } }).resolve(ref()),
      assertAppError("ImageAccessDenied", /authentication was refused by the registry .* for the configured credentials/),
    );
  });

  it("maps 404s to ImageNotFound and 5xx to ImagePullFailed", async () => {
    fake.handle((_req, res) => json(res, 404, errorBody("MANIFEST_UNKNOWN")));
    await assert.rejects(
      client().fetchManifest(ref("x:y"), "y"),
      assertAppError("ImageNotFound", new RegExp(`^Image ${fake.host}/x:y was not found in the registry\\.$`)),
    );
    fake.handle((_req, res) => json(res, 404, errorBody("NAME_UNKNOWN")));
    await assert.rejects(client().resolve(ref("x:y")), assertAppError("ImageNotFound"));
    fake.handle((req, res) => json(res, 503, { errors: [{ code: "UNAVAILABLE", message: `down ${PASSWORD}` }] }));
    await assert.rejects(withCreds().fetchManifest(ref(), "v1"), assertAppError("ImagePullFailed", /HTTP 503.*down \*\*\*/));
  });

  it("maps network errors to ImagePullFailed with the reason", async () => {
    const closed = await fakeServer();
    const host = closed.host;
    await new Promise((r) => closed.server.close(r));
    await assert.rejects(
      client().resolve(parseImageReference(`${host}/a:b`)),
      assertAppError("ImagePullFailed", /could not be reached \(ECONNREFUSED/),
    );
  });

  it("chooses linux/amd64 from an index and lists platforms otherwise", async () => {
    const entry = (arch: string, variant?: string): unknown => ({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: digestOf(arch + (variant ?? "")),
      size: 10,
      platform: { os: "linux", architecture: arch, ...(variant ? { variant } : {}) },
    });
    let manifests = [entry("arm64", "v8"), entry("amd64"), { ...(entry("unknown") as object), platform: { os: "unknown", architecture: "unknown" } }];
    fake.handle((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/vnd.oci.image.index.v1+json" }).end(JSON.stringify({ schemaVersion: 2, manifests }));
    });
    const index = await client().fetchManifest(ref(), "v1");
    assert.equal(index.doc.kind, "index");
    if (index.doc.kind !== "index") return;
    assert.equal(chooseLinuxAmd64(index.doc, "img").digest, digestOf("amd64"));
    manifests = [entry("arm64", "v8"), entry("arm", "v7")];
    const armOnly = await client().fetchManifest(ref(), "v1");
    const armIndex = armOnly.doc;
    assert.equal(armIndex.kind, "index");
    if (armIndex.kind !== "index") return;
    assert.throws(() => chooseLinuxAmd64(armIndex, "img"), assertAppError("ImageNotFound", /offers: linux\/arm64\/v8, linux\/arm\/v7/));
  });

  it("streams a blob with verification, following a redirect without credentials", async () => {
    const good = digestOf(layer);
    other.handle((req, res) => {
      assert.equal(req.headers.authorization, undefined);
      res.writeHead(200).end(layer);
    });
    fake.handle((req, res, url) => {
      if (url.pathname === "/token") return json(res, 200, { token: "tok" });
      if (req.headers.authorization !== "Bearer tok") {
        return json(res, 401, errorBody("UNAUTHORIZED"), { "WWW-Authenticate": `Bearer realm="http://${fake.host}/token"` });
      }
      res.writeHead(307, { Location: `http://${other.host}/storage/blob` }).end();
    });
    const dest = join(dir, "blob-ok");
    assert.equal(await client().downloadBlob(ref(), { digest: good, size: layer.length }, dest), layer.length);
    assert.deepEqual(await readFile(dest), layer);
    assert.equal(other.requests.at(-1)?.url, "/storage/blob");
  });

  it("deletes a blob whose content does not match its digest", async () => {
    fake.handle((_req, res) => res.writeHead(200).end(Buffer.from("tampered!!!")));
    const dest = join(dir, "blob-bad");
    await assert.rejects(
      client().downloadBlob(ref(), { digest: digestOf(layer), size: layer.length }, dest),
      assertAppError("ImagePullFailed", /arrived with digest sha256:[0-9a-f]{64}/),
    );
    await assert.rejects(lstat(dest), { code: "ENOENT" });
    fake.handle((_req, res) => res.writeHead(200).end(Buffer.alloc(layer.length * 2)));
    await assert.rejects(
      client().downloadBlob(ref(), { digest: digestOf(layer), size: layer.length }, dest),
      assertAppError("ImagePullFailed", /larger than/),
    );
    await assert.rejects(lstat(dest), { code: "ENOENT" });
  });

  it("honours an AbortSignal and times out a registry that never answers", async () => {
    // A server of its own: the hanging requests must not poison the shared server's connections.
    const silent = await fakeServer();
    silent.handle(() => undefined);
    try {
      const id = parseImageReference(`${silent.host}/team/app:v1`);
      const controller = new AbortController();
      const pending = client().resolve(id, controller.signal);
      setTimeout(() => controller.abort(new Error("cancelled by test")), 50);
      await assert.rejects(pending, /cancelled by test/);
      const c = new RegistryClient({ config: { registries: {}, mirrors: {} }, requestTimeoutMs: 100 });
      await assert.rejects(c.resolve(id), assertAppError("ImagePullFailed", /timed out/));
    } finally {
      silent.server.closeAllConnections();
      await new Promise((r) => silent.server.close(r));
    }
  });
});
