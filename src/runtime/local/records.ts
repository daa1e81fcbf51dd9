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
 */

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
  ) {
    this.deploymentsDir = join(runtimeDir, "deployments");
    mkdirSync(this.deploymentsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    mkdirSync(instancesDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  }

  deployments(): DeploymentRecord[] {
    return readdirSync(this.deploymentsDir)
      .filter((f) => f.endsWith(".json"))
      .flatMap((f) => readJson<DeploymentRecord>(join(this.deploymentsDir, f)) ?? []);
  }

  deployment(id: string): DeploymentRecord | undefined {
    return readJson<DeploymentRecord>(join(this.deploymentsDir, `${id}.json`));
  }

  saveDeployment(d: DeploymentRecord): void {
    writeAtomic(join(this.deploymentsDir, `${d.deploymentId}.json`), d);
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
