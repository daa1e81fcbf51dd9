import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { jsonErrorPosition } from "../util/json-parse-error.js";
import { DOCKER_HUB, DOCKER_HUB_API_HOST, formatImageReference } from "./reference.js";
import type { ImageReference } from "./types.js";

/**
 * The operator's `<data-dir>/registries.json`:
 * `{"registries": {"<host[:port]>": {insecure?, username?, password?, token?}}, "mirrors": {"<host>": "<host>"}}`.
 * Credentials read from it are never put in errors or log lines.
 */
export interface RegistrySettings {
  /** Plain HTTP instead of HTTPS. Defaults to true for loopback hosts, false otherwise. */
  insecure?: boolean;
  /** Basic credentials, used directly or to obtain bearer tokens from the registry's token realm. */
  username?: string;
  password?: string;
  /** A static bearer token sent on every request (e.g. a registry access token). */
  token?: string;
}

export interface RegistryConfig {
  registries: Record<string, RegistrySettings>;
  /** Registry host as written in identifiers -> registry host actually contacted. */
  mirrors: Record<string, string>;
  /** The registry `openrunner up` runs itself, when it runs one (never from registries.json). */
  builtIn?: OwnRegistry;
}

/**
 * The built-in registry as pulls see it: every name it goes by (its address, this account's
 * ECR host) leads to its address over plain HTTP on loopback, with a pull token OpenRunner
 * mints for itself, so no credentials file is needed.
 */
export interface OwnRegistry {
  readonly address: string;
  isBuiltIn(registryHost: string): boolean;
  pullToken(repository: string): string;
}

export type RegistryCredentials =
  | { kind: "basic"; username: string; password: string }
  | { kind: "token"; token: string };

/** Where and how to reach the registry serving one reference. */
export interface RegistryEndpoint {
  /** The registry contacted, for messages (after mirroring; `docker.io` for Docker Hub). */
  registry: string;
  /** `http://127.0.0.1:5000` or `https://registry-1.docker.io`; no trailing slash. */
  baseUrl: string;
  credentials?: RegistryCredentials;
  /** The registry host the identifier named, when a mirror replaced it. */
  mirroredFrom?: string;
}

export const REGISTRY_CONFIG_FILE = "registries.json";

const HOST_KEY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const SETTING_TYPES: Record<keyof RegistrySettings, "boolean" | "string"> = {
  insecure: "boolean",
  username: "string",
  password: "string",
  token: "string",
};
const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

export function emptyRegistryConfig(): RegistryConfig {
  return { registries: {}, mirrors: {} };
}

function bad(source: string, message: string): AppRunnerError {
  return new AppRunnerError("InvalidRequest", `Invalid registry configuration ${source}: ${message}.`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates parsed JSON; every error names the offending key (never a credential value). */
export function validateRegistryConfig(value: unknown, source = REGISTRY_CONFIG_FILE): RegistryConfig {
  if (!isPlainObject(value)) throw bad(source, "the top level must be a JSON object");
  const config = emptyRegistryConfig();
  for (const key of Object.keys(value)) {
    if (key !== "registries" && key !== "mirrors") {
      throw bad(source, `unknown key "${key}" (expected "registries" and/or "mirrors")`);
    }
  }
  if (value.registries !== undefined) {
    if (!isPlainObject(value.registries)) throw bad(source, `"registries" must be an object keyed by registry host`);
    for (const [host, raw] of Object.entries(value.registries)) {
      const where = `"registries"."${host}"`;
      if (!HOST_KEY.test(host)) throw bad(source, `${where} is not a registry host[:port]`);
      if (!isPlainObject(raw)) throw bad(source, `${where} must be an object`);
      const settings: RegistrySettings = {};
      for (const [name, setting] of Object.entries(raw)) {
        const expected = SETTING_TYPES[name as keyof RegistrySettings];
        if (expected === undefined) {
          throw bad(source, `unknown key ${where}."${name}" (expected insecure, username, password or token)`);
        }
        if (typeof setting !== expected) throw bad(source, `${where}."${name}" must be a ${expected}`);
        if (expected === "string" && setting === "") throw bad(source, `${where}."${name}" must not be empty`);
        (settings as Record<string, unknown>)[name] = setting;
      }
      if ((settings.username === undefined) !== (settings.password === undefined)) {
        throw bad(source, `${where} needs both "username" and "password"`);
      }
      if (settings.token !== undefined && settings.username !== undefined) {
        throw bad(source, `${where} takes either "token" or "username"/"password", not both`);
      }
      config.registries[host] = settings;
    }
  }
  if (value.mirrors !== undefined) {
    if (!isPlainObject(value.mirrors)) throw bad(source, `"mirrors" must be an object of registry host -> registry host`);
    for (const [from, to] of Object.entries(value.mirrors)) {
      const where = `"mirrors"."${from}"`;
      if (!HOST_KEY.test(from)) throw bad(source, `${where} is not a registry host[:port]`);
      if (typeof to !== "string" || !HOST_KEY.test(to)) throw bad(source, `${where} must be a registry host[:port] string`);
      config.mirrors[from] = to;
    }
  }
  return config;
}

export function parseRegistryConfig(text: string, source = REGISTRY_CONFIG_FILE): RegistryConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const position = jsonErrorPosition(err);
    throw bad(source, `it is not valid JSON${position ? ` (at ${position})` : ""}`);
  }
  return validateRegistryConfig(parsed, source);
}

/** Reads `<dataDir>/registries.json`; a missing file is an empty configuration. */
export async function loadRegistryConfig(dataDir: string): Promise<RegistryConfig> {
  const path = join(dataDir, REGISTRY_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyRegistryConfig();
    throw new AppRunnerError("InvalidRequest", `Cannot read registry configuration ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseRegistryConfig(text, path);
}

/** Host part of `host[:port]` / `[v6]:port`, without brackets. */
export function hostOnly(hostPort: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(hostPort);
  if (v6) return v6[1] ?? "";
  const colon = hostPort.lastIndexOf(":");
  return colon >= 0 ? hostPort.slice(0, colon) : hostPort;
}

export function isLoopbackHost(hostPort: string): boolean {
  const host = hostOnly(hostPort).toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function isEcrHost(host: string): boolean {
  return ECR_HOST.test(host);
}

/** Applies mirrors, picks HTTP or HTTPS and the credentials for the registry serving `ref`. */
export function resolveEndpoint(config: RegistryConfig, ref: ImageReference): RegistryEndpoint {
  const named = ref.registry;
  const own = config.builtIn;
  if (own?.isBuiltIn(named)) {
    const endpoint: RegistryEndpoint = { registry: own.address, baseUrl: `http://${own.address}`, credentials: { kind: "token", token: own.pullToken(ref.repository) } };
    return named === own.address ? endpoint : { ...endpoint, mirroredFrom: named };
  }
  const mirror = config.mirrors[named];
  const registry = mirror ?? named;
  if (mirror === undefined && isEcrHost(named)) {
    throw new AppRunnerError(
      "ImagePullFailed",
      `Image ${formatImageReference(ref)} is in Amazon ECR registry ${named}, which OpenRunner cannot pull from directly. ` +
        `Push the image to a registry this host can reach and map it in ${REGISTRY_CONFIG_FILE} in the data directory, ` +
        `e.g. {"mirrors": {"${named}": "127.0.0.1:5000"}}.`,
    );
  }
  const apiHost = registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
  const settings = config.registries[registry] ?? config.registries[apiHost] ?? {};
  const insecure = settings.insecure ?? isLoopbackHost(registry);
  const endpoint: RegistryEndpoint = { registry, baseUrl: `${insecure ? "http" : "https"}://${apiHost}` };
  if (settings.username !== undefined && settings.password !== undefined) {
    endpoint.credentials = { kind: "basic", username: settings.username, password: settings.password };
  } else if (settings.token !== undefined) {
    endpoint.credentials = { kind: "token", token: settings.token };
  }
  if (mirror !== undefined) endpoint.mirroredFrom = named;
  return endpoint;
}
