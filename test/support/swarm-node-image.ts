/*
 * The image of a Docker-in-Docker swarm node: a Debian machine made of the host's own Debian
 * files. The image holds only the root's skeleton (usr-merge links, a few files of /etc); the
 * host's /usr, which carries Debian's docker.io, containerd, runc, iproute2 and iptables, is
 * bind-mounted read-only when a node runs. So the image is under a megabyte, imports in a
 * fraction of a second, needs no network and always matches the host's Docker.
 */
import { execFile } from "node:child_process";
import { cpSync, createReadStream, existsSync, mkdirSync, chmodSync, symlinkSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import type { EngineApi } from "../../src/runtime/swarm/engine-api.js";

const run = promisify(execFile);

const REPO = "openrunner-test/swarm-node";
const TAG = "debian";
export const NODE_IMAGE = `${REPO}:${TAG}`;

/** What of the host's /etc a node needs: the loader's cache, users, name services, certificates, the iptables alternative. */
const ETC = [
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "passwd",
  "group",
  "nsswitch.conf",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "alternatives",
  "protocols",
  "services",
  "ethertypes",
  "os-release",
  "iproute2",
];

/** Writes the node's root skeleton to `root` (an empty directory of ours). */
function writeRoot(root: string): void {
  for (const d of ["etc", "usr", "var/lib/docker", "var/log", "run", "proc", "sys", "dev", "root", "node"]) mkdirSync(join(root, d), { recursive: true });
  for (const d of ["tmp", "var/tmp"]) {
    mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, d), 0o1777);
  }
  // Debian 12 is usr-merged: the loader and every tool live under /usr, reached through these links.
  for (const d of ["bin", "sbin", "lib", "lib64"]) symlinkSync(`usr/${d}`, join(root, d));
  symlinkSync("../run", join(root, "var/run"));
  for (const name of ETC) {
    const from = join("/etc", name);
    if (existsSync(from)) cpSync(from, join(root, "etc", name), { recursive: true, verbatimSymlinks: true });
  }
}

/** `docker import`: the tarball as the body of POST /images/create?fromSrc=- (raw, so not through EngineApi.call's JSON). */
async function importTarball(api: EngineApi, tarball: string): Promise<void> {
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        socketPath: api.endpoint.replace(/^unix:\/\//, ""),
        method: "POST",
        path: `/v${api.version}/images/create?fromSrc=-&repo=${encodeURIComponent(REPO)}&tag=${TAG}`,
        headers: { host: "docker", "content-type": "application/x-tar" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    pipeline(createReadStream(tarball), req).catch(reject);
  });
  // A 200 whose progress stream ends in {"error": ...} is a failed import too.
  if (answer.status !== 200 || /"error"/.test(answer.text)) throw new Error(`importing the swarm node image: ${answer.status} ${answer.text.trim()}`);
}

/** Builds the node image into the daemon of `api` from a skeleton written under `workDir` (ours to write in). */
export async function importNodeImage(api: EngineApi, workDir: string): Promise<string> {
  const root = join(workDir, "node-root");
  mkdirSync(root, { recursive: true });
  writeRoot(root);
  const tarball = join(workDir, "node-root.tar");
  await run("tar", ["-C", root, "--numeric-owner", "-cf", tarball, "."]);
  await importTarball(api, tarball);
  return NODE_IMAGE;
}
