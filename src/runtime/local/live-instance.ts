import type { HealthChecker } from "../health/health-checker.js";
import type { LogTailer } from "./log-tail.js";
import type { InstanceRecord } from "./records.js";
import type { ContainerSpec } from "../../executor/types.js";

/** An instance this process supervises: its record, host resources and watchers. */
export interface LiveInstance {
  record: InstanceRecord;
  container: ContainerSpec;
  pid: number;
  tailer: LogTailer;
  checker: HealthChecker;
  /** OOM kills already reported to the events log. */
  oomKills: number;
  /** Taken out of the router (scale-in): drains, then ends. */
  leaving: boolean;
  /** Set once the instance is being torn down, so the supervisor and the engine do not race. */
  ending: boolean;
}

/** What the deployment log and the driver's callers may see of an instance. */
export interface InstanceView {
  instanceId: string;
  deploymentId: string;
  serviceId: string;
  address: string;
  port: number;
  healthy: boolean;
  /** Takes requests from the router. */
  serving: boolean;
  pid: number;
  containerId: string;
}
