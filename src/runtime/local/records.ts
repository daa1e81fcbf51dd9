import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../../util/private-files.js";
import { join } from "node:path";
import type { HealthCheckConfiguration } from "@aws-sdk/client-apprunner";
import type { Wire } from "../../protocol/wire.js";
import type { InstancePlan } from "../instance-plan.js";

/**
 * What the local driver must remember across a crash, as small JSON files beside the
 * instances: the engine's store knows operations and services, not containers. Each file is
 * written to a temp name and renamed, so a reader sees the old or the new record, never half.
 * A deployment's environment (the service's variables and its secrets' values) is sealed in
 * its record: a copy of the data directory without its key reveals none of it.
 */

/**
 * Seals and opens text under the data directory's key, bound to a context (the store's
 * SecretBox is one). Method syntax on purpose: a sealer with its own sealed type fits.
 */
export interface RecordSealer {
  seal(plaintext: string, context: string): object;
  open(sealed: object, context: string): string;
}

/** A deployment record as it is on disk: its plan's environment sealed, never in clear. */
type StoredDeployment = Omit<DeploymentRecord, "plan"> & { plan: Omit<InstancePlan, "env"> & { env?: string[] }; sealedEnv?: object };

const envContext = (deploymentId: string): string => `openrunner:deployment-env:${deploymentId}`;

/** Serving: receives traffic. Standby: running but not (yet, or any longer) serving. */
export type DeploymentRole = "starting" | "serving" | "standby";

export interface DeploymentRecord {
  deploymentId: string;
  serviceId: string;
  serviceName: string;
  serviceArn: string;
  operationId: string;
  imageIdentifier: string;
  /** What the identifier resolved to (index or manifest digest). */
  resolvedDigest: string;
  /** The linux/amd64 manifest whose unpacked rootfs the instances run. */
  manifestDigest: string;
  imageRootfs: string;
  plan: InstancePlan;
  uid: number;
  gid: number;
  healthCheck: Wire<HealthCheckConfiguration>;
  /** How many instances to keep running: the autoscaler moves it between MinSize and MaxSize. */
  desired: number;
  minSize: number;
  maxSize: number;
  maxConcurrency: number;
  /** Host names routed to the service while this deployment serves. */
  hosts: string[];
  tracing: boolean;
  /** InstanceConfiguration.InstanceRoleArn: its instances get the role's credentials (InstanceDeps.instanceRoleEnv). */
  instanceRoleArn?: string;
  role: DeploymentRole;
  createdAt: number;
}

export interface InstanceRecord {
  instanceId: string;
  deploymentId: string;
  serviceId: string;
  slot: number;
  containerId: string;
  /** "creating" until every host resource exists; a crash before "created" means clean up and replace. */
  phase: "creating" | "created";
  createdAt: number;
}

/** 0600: deployment records carry the service's environment. A leftover temp file may have another mode. */
function writeAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, file);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

export class RuntimeRecords {
  private readonly deploymentsDir: string;

  constructor(
    runtimeDir: string,
    readonly instancesDir: string,
    private readonly sealer: RecordSealer,
  ) {
    this.deploymentsDir = join(runtimeDir, "deployments");
    mkdirSync(this.deploymentsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    mkdirSync(instancesDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  }

  deployments(): DeploymentRecord[] {
    return readdirSync(this.deploymentsDir)
      .filter((f) => f.endsWith(".json"))
      .flatMap((f) => this.opened(readJson<StoredDeployment>(join(this.deploymentsDir, f))) ?? []);
  }

  deployment(id: string): DeploymentRecord | undefined {
    return this.opened(readJson<StoredDeployment>(join(this.deploymentsDir, `${id}.json`)));
  }

  saveDeployment(d: DeploymentRecord): void {
    const { env, ...plan } = d.plan;
    const stored: StoredDeployment = { ...d, plan, sealedEnv: this.sealer.seal(JSON.stringify(env), envContext(d.deploymentId)) };
    writeAtomic(join(this.deploymentsDir, `${d.deploymentId}.json`), stored);
  }

  /** Records written before environments were sealed are written again, sealed (at start). */
  sealClearRecords(): void {
    for (const f of readdirSync(this.deploymentsDir).filter((name) => name.endsWith(".json"))) {
      const stored = readJson<StoredDeployment>(join(this.deploymentsDir, f));
      const d = this.opened(stored);
      if (stored && d && stored.sealedEnv === undefined) this.saveDeployment(d);
    }
  }

  private opened(stored: StoredDeployment | undefined): DeploymentRecord | undefined {
    if (!stored) return undefined;
    const { sealedEnv, ...rest } = stored;
    const env = sealedEnv === undefined ? (stored.plan.env ?? []) : (JSON.parse(this.sealer.open(sealedEnv, envContext(stored.deploymentId))) as string[]);
    return { ...rest, plan: { ...stored.plan, env } };
  }

  removeDeployment(id: string): void {
    rmSync(join(this.deploymentsDir, `${id}.json`), { force: true });
  }

  instanceDir(instanceId: string): string {
    return join(this.instancesDir, instanceId);
  }

  instances(): InstanceRecord[] {
    return readdirSync(this.instancesDir).flatMap((id) => readJson<InstanceRecord>(join(this.instancesDir, id, "instance.json")) ?? []);
  }

  saveInstance(r: InstanceRecord): void {
    mkdirSync(this.instanceDir(r.instanceId), { recursive: true });
    writeAtomic(join(this.instanceDir(r.instanceId), "instance.json"), r);
  }
}
