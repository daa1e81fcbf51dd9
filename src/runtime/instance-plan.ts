import type { ImageRunConfig } from "../images/types.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { normalizeCpu, normalizeMemory, DEFAULT_CPU, DEFAULT_MEMORY } from "../domain/instance-configuration.js";
import type { DeploymentSpec } from "./driver.js";
import { splitCommand } from "./split-command.js";

/** App Runner's default port for image services (ImageConfiguration.Port). */
export const DEFAULT_PORT = 8080;
/** Enough for any web server; a fork bomb stops here instead of at the host's limit. */
export const DEFAULT_PIDS_LIMIT = 4096;

/** How every instance of one deployment runs: the same for every driver. */
export interface InstancePlan {
  args: string[];
  /** `NAME=value`, image environment first, overridden by the service's variables and its secrets. */
  env: string[];
  cwd: string;
  /** The image's `user` field, resolved to ids by the driver (it needs the image's /etc/passwd). */
  user: string;
  port: number;
  cpuMillicores: number;
  memoryBytes: number;
  pidsLimit: number;
}

/** What every driver takes from the service's configuration alone, whatever runs the image. */
export interface RunSettings {
  port: number;
  /** The StartCommand as argv (it replaces the image's CMD; the ENTRYPOINT stays), if the service has one. */
  startArgs?: string[];
  /** PORT, then the service's RuntimeEnvironmentVariables (which may override it), then its secrets' values. */
  env: Map<string, string>;
  cpuMillicores: number;
  memoryBytes: number;
}

/**
 * Pure: the service's side of how its instances run (no image needed: a cluster's nodes read the
 * image themselves). The version's secrets, resolved by the engine at this deployment, come last:
 * their names never clash with the service's variables (CreateService refuses that).
 */
export function runSettings(spec: Pick<DeploymentSpec, "run" | "instance" | "secrets">): RunSettings {
  const cfg = spec.run;
  const port = parsePort(cfg.Port);
  const env = new Map<string, string>([["PORT", String(port)]]);
  for (const [k, v] of Object.entries(cfg.RuntimeEnvironmentVariables ?? {})) env.set(k, v);
  for (const [k, v] of Object.entries(spec.secrets ?? {})) env.set(k, v);
  return {
    port,
    ...(cfg.StartCommand ? { startArgs: splitCommand(cfg.StartCommand) } : {}),
    env,
    cpuMillicores: cpuMillicores(spec.instance.Cpu),
    memoryBytes: memoryBytes(spec.instance.Memory),
  };
}

/**
 * Pure: what to run for a deployment, from the service's configuration and the image config.
 * StartCommand replaces the image's CMD (the ENTRYPOINT stays), as `docker run IMAGE CMD…`
 * does; PORT carries the configured port, as App Runner passes it.
 */
export function makeInstancePlan(spec: Pick<DeploymentSpec, "run" | "instance" | "secrets">, image: ImageRunConfig): InstancePlan {
  const settings = runSettings(spec);
  const args = [...image.entrypoint, ...(settings.startArgs ?? image.cmd)];
  if (args.length === 0) {
    throw new AppRunnerError(
      "InstanceFailed",
      "The image has no ENTRYPOINT or CMD and the service has no StartCommand: there is nothing to run.",
    );
  }
  const env = new Map<string, string>();
  for (const pair of image.env) {
    const eq = pair.indexOf("=");
    if (eq > 0) env.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  for (const [k, v] of settings.env) env.set(k, v);
  return {
    args,
    env: [...env].map(([k, v]) => `${k}=${v}`),
    cwd: image.workingDir || "/",
    user: image.user,
    port: settings.port,
    cpuMillicores: settings.cpuMillicores,
    memoryBytes: settings.memoryBytes,
    pidsLimit: DEFAULT_PIDS_LIMIT,
  };
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new AppRunnerError("InstanceFailed", `The port ${JSON.stringify(raw)} is not a valid TCP port (1-65535).`);
  }
  return n;
}

/** "1 vCPU" or "1024" (CPU units) -> 1000 millicores. */
export function cpuMillicores(cpu: string | undefined): number {
  return Math.round((Number(normalizeCpu(cpu ?? DEFAULT_CPU)) * 1000) / 1024);
}

/** "2 GB" or "2048" (MB) -> bytes. */
export function memoryBytes(memory: string | undefined): number {
  return Number(normalizeMemory(memory ?? DEFAULT_MEMORY)) * 1024 * 1024;
}
