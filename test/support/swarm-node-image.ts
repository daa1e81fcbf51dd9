/*
 * The image of a Docker-in-Docker swarm node: a Debian machine made of the host's own Debian
 * files. The image holds only the root's skeleton (usr-merge links, a few files of /etc); the
 * host's /usr, which carries Debian's docker.io, containerd, runc, iproute2 and iptables, is
 * bind-mounted read-only when a node runs. So the image is under a megabyte, imports in a
 * fraction of a second, needs no network and always matches the host's Docker.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, chmodSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const NODE_IMAGE = "openrunner-test/swarm-node:debian";

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

/** Builds the node image into the daemon at `socket` (its `docker import` of the skeleton); `workDir` is ours to write in. */
export async function importNodeImage(socket: string, workDir: string): Promise<string> {
  const root = join(workDir, "node-root");
  mkdirSync(root, { recursive: true });
  writeRoot(root);
  const tarball = join(workDir, "node-root.tar");
  await run("tar", ["-C", root, "--numeric-owner", "-cf", tarball, "."]);
  await run("docker", ["-H", `unix://${socket}`, "import", tarball, NODE_IMAGE]);
  return NODE_IMAGE;
}
