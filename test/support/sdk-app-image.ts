/**
 * An application that calls OpenRunner with the AWS SDK for JavaScript and nothing else: the
 * Node.js 18 runtime image (node-base-image.ts) plus a layer with a small server and the
 * project's own @aws-sdk/client-apprunner with its dependencies (their CommonJS builds). The
 * client is made with no options at all: credentials come from the SDK's default chain
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN), the endpoint from
 * AWS_ENDPOINT_URL, the region from AWS_REGION, as on App Runner.
 *
 *   GET /list      ListServices: {"ok":true,"services":[...],"accessKeyId":"..."} or {"ok":false,"name","message"}
 *   GET /describe?arn=<service arn>   DescribeService, the same shapes
 *   GET /env       which AWS_* variables the instance has (names only)
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildLayer, pushBlob, pushManifest, type ImageFiles } from "./oci-image.js";
import { pushNodeBaseImage } from "./node-base-image.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const SERVER = `
const http = require("node:http");
const { AppRunnerClient, ListServicesCommand, DescribeServiceCommand } = require("@aws-sdk/client-apprunner");
async function call(make) {
  const client = new AppRunnerClient({ maxAttempts: 1 });
  try {
    const out = await make(client);
    const creds = await client.config.credentials();
    return { ok: true, ...out, accessKeyId: creds.accessKeyId };
  } catch (e) {
    return { ok: false, name: e.name, message: e.message };
  } finally {
    client.destroy();
  }
}
http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://app");
  let body;
  if (url.pathname === "/list") body = await call(async (c) => ({ services: ((await c.send(new ListServicesCommand({}))).ServiceSummaryList || []).map((s) => s.ServiceName) }));
  else if (url.pathname === "/describe") body = await call(async (c) => ({ service: (await c.send(new DescribeServiceCommand({ ServiceArn: url.searchParams.get("arn") }))).Service.ServiceName }));
  else if (url.pathname === "/env") body = Object.keys(process.env).filter((k) => k.startsWith("AWS_")).sort();
  else body = "sdk app";
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body) + "\\n");
}).listen(Number(process.env.PORT), () => console.log("sdk app listening on " + process.env.PORT));
`;

/** Every package @aws-sdk/client-apprunner needs at run time, as installed in the project. */
function packageDirs(): string[] {
  const seen = new Set<string>();
  const visit = (name: string, from: string): void => {
    const require = createRequire(join(from, "package.json"));
    let dir: string;
    try {
      dir = dirname(require.resolve(`${name}/package.json`));
    } catch {
      // Packages whose exports hide package.json: walk up from the entry point.
      dir = dirname(require.resolve(name));
      while (!statSync(join(dir, "package.json"), { throwIfNoEntry: false })) dir = dirname(dir);
    }
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir);
  };
  visit("@aws-sdk/client-apprunner", ROOT);
  return [...seen];
}

/** The packages' run-time files under /app/node_modules (ES module builds, types and docs left out). */
function sdkFiles(): ImageFiles {
  const files: ImageFiles = {};
  const add = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["dist-es", "dist-types", "node_modules"].includes(entry.name)) add(path);
      } else if (entry.isFile() && !/\.(md|map|d\.ts)$/.test(entry.name)) {
        files[`/app/${relative(ROOT, path)}`] = readFileSync(path);
      }
    }
  };
  for (const dir of packageDirs()) add(dir);
  return files;
}

interface Manifest {
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
}

/** Pushes the app as `<registry>/<repo>:<tag>` on top of the Node.js runtime image. */
export async function pushSdkApp(registry: string, repo: string, tag: string): Promise<string> {
  await pushNodeBaseImage(registry, repo, "node-base");
  const accept = { accept: "application/vnd.oci.image.manifest.v1+json" };
  const base = (await (await fetch(`http://${registry}/v2/${repo}/manifests/node-base`, { headers: accept })).json()) as Manifest;
  const baseConfig = (await (await fetch(`http://${registry}/v2/${repo}/blobs/${base.config.digest}`)).json()) as {
    config: { Env?: string[] };
    rootfs: { diff_ids: string[] };
    history: unknown[];
  };
  const layer = await buildLayer({ ...sdkFiles(), "/app/server.js": SERVER });
  await pushBlob(registry, repo, layer.gz);
  const config = Buffer.from(
    JSON.stringify({
      ...baseConfig,
      config: { Env: baseConfig.config.Env, Cmd: ["node", "/app/server.js"], WorkingDir: "/app", ExposedPorts: { "8080/tcp": {} } },
      rootfs: { type: "layers", diff_ids: [...baseConfig.rootfs.diff_ids, layer.diffId] },
      history: [...baseConfig.history, { created: "2026-01-01T00:00:00Z", created_by: "openrunner test sdk app" }],
    }),
  );
  const configDigest = `sha256:${createHash("sha256").update(config).digest("hex")}`;
  await pushBlob(registry, repo, { digest: configDigest, bytes: config });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: base.config.mediaType, digest: configDigest, size: config.length },
      layers: [...base.layers, { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layer.gz.digest, size: layer.gz.bytes.length }],
    }),
  );
  await pushManifest(registry, repo, tag, "application/vnd.oci.image.manifest.v1+json", manifest);
  return `${registry}/${repo}:${tag}`;
}
