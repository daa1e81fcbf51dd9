import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import { readOrCreateSecretFile } from "../util/secret-file.js";
import { RegistryContents, type ImageToPush } from "./built-in.js";
import { FrontDoor, TOKEN_PATH } from "./front-door.js";
import { HmacRegistryPasswords } from "./passwords.js";
import { renderRegistryConfig } from "./registry-config.js";
import { RegistryGarbage } from "./garbage.js";
import { RegistryProcess } from "./registry-process.js";
import { ensureSigningKey } from "./signing-key.js";
import { RegistryStorage } from "./storage.js";
import { TOKEN_ISSUER, TOKEN_SERVICE } from "./token.js";
import { OWN_PULL_SUBJECT, type BuiltInRegistry, type RegistryPasswords, type RegistryPrincipal, type RegistryScopeAuthorizer, type RepositoryDirectory } from "./types.js";

export const DEFAULT_REGISTRY_PORT = 8601;

/** What the built-in registry needs on this host and is not there (empty: it can run). */
export function missingRegistryTools(): string[] {
  return [
    { command: "docker-registry", pkg: "docker-registry" },
    { command: "openssl", pkg: "openssl" },
  ].flatMap((t) => {
    try {
      execFileSync("sh", ["-c", `command -v ${t.command}`], { stdio: "ignore" });
      return [];
    } catch {
      return [`${t.command} (Debian package ${t.pkg})`];
    }
  });
}

export interface RegistryOptions {
  dataDir: string;
  /** The front door's port (0: any free port). */
  port: number;
  /**
   * The front door's address: 127.0.0.1 by default. A swarm's other machines pull from it, so
   * there it is an address they reach (plain HTTP: their daemons list it as an insecure registry).
   */
  host?: string;
  accountId: string;
  region: string;
  clock: Clock;
  random: Random;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** The ECR side's repositories; without one, every push and pull is refused (NAME_UNKNOWN). */
  repositories?: RepositoryDirectory;
  /** What each password's key may do to each repository (IAM); absent: whatever the token asks. */
  authorizeScope?: RegistryScopeAuthorizer;
  /** Watchdog interval (tests). */
  checkEveryMs?: number;
}

/** The built-in registry as the composition root holds it. */
export interface RunningRegistry extends BuiltInRegistry, RegistryPasswords {
  /** A short-lived pull token OpenRunner mints for its own pulls (images/ uses it; no credentials file). */
  pullToken(repository: string): string;
  /** Pushes an image this host holds to `repository:tag` (OpenRunner's own push: builds keep their images here); its manifest digest. */
  pushImage(repository: string, tag: string, image: ImageToPush): Promise<string>;
  /** The supervised docker-registry's PID (tests kill it), and how often it was restarted. */
  readonly pid: number | undefined;
  readonly restarts: number;
  /** Starts the registry and its front door; push notifications go to `notifications` when given. */
  start(notifications?: { url: string; token: string }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The built-in registry of one data directory (`<data-dir>/registry`): CNCF distribution on a
 * unix socket with filesystem storage, token authentication with a key made here, and the
 * front door on 127.0.0.1:<port>. Built before the control plane listens (the image store
 * needs the object), started after (its notifications need the endpoint).
 */
export async function createRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  const dir = join(opts.dataDir, "registry");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const socketPath = join(dir, "registry.sock");
  const storageDir = join(dir, "storage");
  const signingKey = await ensureSigningKey(dir);
  const passwords = new HmacRegistryPasswords(readOrCreateSecretFile(join(dir, "password.key"), () => opts.random.bytes(32)));
  const httpSecret = readOrCreateSecretFile(join(dir, "http.secret"), () => opts.random.bytes(24).toString("hex")).toString("utf8");
  const storage = new RegistryStorage(storageDir);
  const repositories = opts.repositories;
  const frontDoor = new FrontDoor({
    host: opts.host ?? "127.0.0.1",
    port: opts.port,
    socketPath,
    passwords,
    signingKey,
    repositories: () => repositories,
    ...(opts.authorizeScope ? { authorizeScope: opts.authorizeScope } : {}),
    tagExists: (repository, tag) => storage.tagExists(repository, tag),
    accountId: opts.accountId,
    clock: opts.clock,
    random: opts.random,
    logger: opts.logger,
  });
  const configPath = join(dir, "config.yml");
  const garbage = new RegistryGarbage({ dir, configPath, logger: opts.logger });
  const contents = new RegistryContents({
    address: () => frontDoor.address,
    accountId: opts.accountId,
    region: opts.region,
    socketPath,
    storage,
    signingKey,
    clock: opts.clock,
    random: opts.random,
    deleted: () => garbage.deleted(),
  });
  const supervised = new RegistryProcess({
    configPath,
    socketPath,
    pidFile: join(dir, "registry.pid"),
    logger: opts.logger,
    beforeServing: async () => {
      await garbage.collectIfPending();
    },
    ...(opts.checkEveryMs ? { checkEveryMs: opts.checkEveryMs } : {}),
  });
  let started = false;
  return {
    get address() {
      return contents.address;
    },
    get pid() {
      return supervised.pid;
    },
    get restarts() {
      return supervised.restarts;
    },
    isBuiltIn: (host) => contents.isBuiltIn(host),
    listImages: (name) => contents.listImages(name),
    getManifest: (name, reference) => contents.getManifest(name, reference),
    untag: (name, tag) => contents.untag(name, tag),
    deleteImage: (name, digest) => contents.deleteImage(name, digest),
    deleteRepository: (name) => contents.deleteRepository(name),
    issue: (principal: RegistryPrincipal, now: Date) => passwords.issue(principal, now),
    pullToken: (repository) => contents.ownToken(repository, ["pull"]),
    pushImage: (repository, tag, image) => contents.pushImage(repository, tag, image),
    async start(notifications) {
      await frontDoor.listen();
      started = true;
      const realm = `http://${frontDoor.address}${TOKEN_PATH}`;
      const config = renderRegistryConfig({ storageDir, socketPath, httpSecret, realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootCertBundle: signingKey.certPath, ...(notifications ? { notifications } : {}) });
      await writeFile(configPath, config, { mode: 0o600 });
      await supervised.start();
    },
    async stop() {
      if (!started) return;
      await frontDoor.close();
      await supervised.stop();
    },
  };
}

/**
 * The registry as a build's FROM lines reach it: either of its names, and a password for the
 * user `AWS` issued to OpenRunner's builds each time one is asked for (a build pulls its base
 * images from the user's repositories as `docker build` on AWS does after an ECR login).
 */
export function builtInBaseImages(registry: RunningRegistry, accountId: string, clock: Clock): { address: string; isBuiltIn(host: string): boolean; password(): string } {
  return {
    get address() {
      return registry.address;
    },
    isBuiltIn: (host) => registry.isBuiltIn(host),
    password: () => registry.issue({ accountId, accessKeyId: OWN_PULL_SUBJECT }, new Date(clock.now())).password,
  };
}
