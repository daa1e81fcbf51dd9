import { join } from "node:path";
import type { LogSink } from "../../telemetry/log-sink.js";
import { applicationLogGroup, instanceStream } from "../../telemetry/log-groups.js";
import type { Clock } from "../../util/clock.js";
import { HealthChecker } from "../health/health-checker.js";
import type { HealthVerdict } from "../health/health-state.js";
import { containerPid, containerState, createContainer, destroyContainer, launchContainer, prepareBundle, prepareContainer, startContainer, stopContainer } from "../../executor/container.js";
import type { LiveInstance } from "./live-instance.js";
import { LogTailer } from "./log-tail.js";
import { createNetwork, destroyNetwork, networkExists, networkForSlot } from "../../executor/network.js";
import type { DeploymentRecord, InstanceRecord, RuntimeRecords } from "./records.js";
import type { ContainerRef, ContainerSpec, HostLayout, InstanceNetwork } from "../../executor/types.js";

export interface InstanceDeps {
  layout: HostLayout;
  records: RuntimeRecords;
  clock: Clock;
  logs: LogSink;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Health verdict changes of a running instance (the supervisor replaces unhealthy ones). */
  onVerdict: (inst: LiveInstance, verdict: HealthVerdict, detail: string, attempts: number) => void;
  stopGraceMs: number;
  /**
   * What an instance of a deployment with an instance role finds in its environment to reach the
   * role's credentials and the API (the AWS SDKs' container credential variables), given its id
   * and its gateway (the host end of its veth). Absent: instance roles reach no instance.
   */
  instanceRoleEnv?: (instanceId: string, gateway: string) => Record<string, string>;
  /** How far a service at zero makes its next instance ahead (`openrunner up --wake-ahead`); "prepared" by default. */
  wakeAhead?: WakeAhead;
}

/**
 * How far the next instance of a service at zero is made ahead of its wake (issue 20). "prepared":
 * no process (disk, overlay, hosts, resolv.conf, the bundle without its environment, the network
 * kept); the wake writes the environment and runs runc. "created": up to `runc create` as well,
 * so runc's init waits in the instance's cgroup (1.5-2.7 MB) and the wake only opens its fifo.
 */
export type WakeAhead = "prepared" | "created";
export const WAKE_AHEAD_STATES: readonly WakeAhead[] = ["prepared", "created"];

/** Variables the service may set itself: its own endpoint or region wins over OpenRunner's. */
const SERVICE_MAY_SET = new Set(["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"]);

/** Pure: the plan's environment plus the instance role's variables (the credential ones always OpenRunner's). */
export function withInstanceRoleEnv(env: readonly string[], role: Readonly<Record<string, string>>): string[] {
  const nameOf = (pair: string): string => pair.slice(0, pair.indexOf("="));
  const given = new Set(env.map(nameOf));
  const ours = Object.entries(role).filter(([k]) => !(SERVICE_MAY_SET.has(k) && given.has(k)));
  const replaced = new Set(ours.map(([k]) => k));
  return [...env.filter((pair) => !replaced.has(nameOf(pair))), ...ours.map(([k, v]) => `${k}=${v}`)];
}

/** The container an instance record describes: names and paths derive from the ids alone. */
export function containerSpecOf(deps: Pick<InstanceDeps, "layout" | "records" | "instanceRoleEnv">, d: DeploymentRecord, r: InstanceRecord): ContainerSpec {
  const network = networkForSlot(deps.layout, r.slot);
  const roleEnv = d.instanceRoleArn && deps.instanceRoleEnv ? deps.instanceRoleEnv(r.instanceId, network.hostAddress) : undefined;
  return {
    containerId: r.containerId,
    dir: deps.records.instanceDir(r.instanceId),
    imageRootfs: d.imageRootfs,
    args: d.plan.args,
    env: roleEnv ? withInstanceRoleEnv(d.plan.env, roleEnv) : d.plan.env,
    cwd: d.plan.cwd,
    uid: d.uid,
    gid: d.gid,
    network,
    limits: {
      cpuMillicores: d.plan.cpuMillicores,
      memoryBytes: d.plan.memoryBytes,
      pidsLimit: d.plan.pidsLimit,
      ephemeralStorageBytes: deps.layout.ephemeralStorageBytes,
    },
    cgroupsPath: `/${deps.layout.prefix}/${r.instanceId}`,
  };
}

/** Starts shipping the instance's output and checking its health. */
function watch(deps: InstanceDeps, d: DeploymentRecord, r: InstanceRecord, container: ContainerSpec, pid: number): LiveInstance {
  const tailer = new LogTailer({
    file: join(container.dir, "output.log"),
    offsetFile: join(container.dir, "output.offset"),
    sink: deps.logs,
    group: applicationLogGroup(d.serviceName, d.serviceId),
    stream: instanceStream(r.instanceId),
    clock: deps.clock,
    logger: deps.logger,
  });
  const live: LiveInstance = {
    record: r,
    container,
    pid,
    tailer,
    ending: false,
    leaving: false,
    oomKills: 0,
    checker: new HealthChecker({
      target: () => ({ host: container.network.instanceAddress, port: d.plan.port }),
      config: d.healthCheck,
      clock: deps.clock,
      onVerdict: (verdict, detail, attempts) => deps.onVerdict(live, verdict, detail, attempts),
    }),
  };
  tailer.start();
  live.checker.start();
  return live;
}

/** An instance made ahead while its service is at zero: its app waits for startCreated. */
export interface CreatedInstance {
  record: InstanceRecord;
  container: ContainerSpec;
  /** How far it was made: "created" has a runc container (its init waiting), "prepared" none. */
  state: WakeAhead;
  /** PID 1 of the container (`runc init` now, the exit recorder once started); 0 when prepared. */
  pid: number;
}

/**
 * The record first (phase "creating"), so a crash at any later point leaves something the next
 * start can find and remove; then network and disk side by side, then overlay, bundle and runc
 * (`run`; only `create` for an instance made ahead "created"; no runc at all when "prepared").
 */
async function makeInstance(
  deps: InstanceDeps,
  d: DeploymentRecord,
  instanceId: string,
  slot: number,
  opts: { networkReady?: boolean; how: "run" | WakeAhead },
): Promise<CreatedInstance> {
  const record: InstanceRecord = {
    instanceId,
    deploymentId: d.deploymentId,
    serviceId: d.serviceId,
    slot,
    containerId: `${deps.layout.prefix}-${instanceId}`,
    phase: "creating",
    createdAt: deps.clock.now(),
  };
  deps.records.saveInstance(record);
  const container = containerSpecOf(deps, d, record);
  try {
    // The instance's disk does not need the network: make both at once (both settled before any cleanup).
    const t0 = deps.clock.now();
    const timed = async (p: Promise<void>): Promise<number> => (await p, deps.clock.now() - t0);
    // A slot kept by a service at zero has its network ready (checked: a host restart or an operator may have removed it).
    const network = opts.networkReady && networkExists(container.network) ? Promise.resolve() : createNetwork(container.network);
    const made = await Promise.allSettled([timed(network), timed(prepareContainer(container))]);
    for (const r of made) if (r.status === "rejected") throw r.reason;
    const prepared = deps.clock.now();
    if (opts.how === "prepared") await prepareBundle(container);
    else await createContainer(container, {}, opts.how === "created" ? "create" : "run");
    const state = opts.how === "prepared" ? undefined : await containerState(container);
    // Where an instance's start goes (issue 20's cold start): network and disk side by side, then runc.
    deps.logger(opts.how === "run" ? "instance created" : `instance ${opts.how} ahead`, {
      serviceId: d.serviceId,
      instanceId,
      networkMs: made[0]?.status === "fulfilled" ? made[0].value : undefined,
      diskMs: made[1]?.status === "fulfilled" ? made[1].value : undefined,
      runcMs: deps.clock.now() - prepared,
    });
    return { record, container, state: opts.how === "prepared" ? "prepared" : "created", pid: state?.status === "running" ? state.pid : 0 };
  } catch (err) {
    await removeInstance(deps, container);
    throw err;
  }
}

/** Creates one instance and starts its app. */
export async function startInstance(
  deps: InstanceDeps,
  d: DeploymentRecord,
  instanceId: string,
  slot: number,
  opts: { networkReady?: boolean } = {},
): Promise<LiveInstance> {
  const made = await makeInstance(deps, d, instanceId, slot, { ...opts, how: "run" });
  const created: InstanceRecord = { ...made.record, phase: "created" };
  deps.records.saveInstance(created);
  return watch(deps, d, created, made.container, made.pid);
}

/**
 * Makes the next instance of a service at zero ahead of its wake (issue 20), as far as
 * `deps.wakeAhead` says: by default "prepared" (network kept, disk, overlay, the bundle without
 * its environment: no process, no memory charged); "created" adds `runc create` (runc read the
 * environment and it is gone from disk again; runc's init waits, measured in docs/performance.md).
 */
export function createAhead(deps: InstanceDeps, d: DeploymentRecord, instanceId: string, slot: number, opts: { networkReady?: boolean } = {}): Promise<CreatedInstance> {
  return makeInstance(deps, d, instanceId, slot, { ...opts, how: deps.wakeAhead ?? "prepared" });
}

/** Removes an instance made ahead, keeping its network: nothing of the app ran, so no grace period for it. */
export function removeAhead(c: CreatedInstance): Promise<void> {
  return removeInstance({ stopGraceMs: 0 }, c.container, undefined, { keepNetwork: true });
}

/**
 * The wake of an instance made ahead: when prepared, the environment into its bundle and `runc run
 * -d` (stripped again after, as at every start); when created, its fifo opened. Then watched like
 * any other. Removes it (network kept) when the start fails.
 */
export async function startCreated(deps: InstanceDeps, d: DeploymentRecord, c: CreatedInstance): Promise<LiveInstance> {
  const t0 = deps.clock.now();
  let pid = c.pid;
  try {
    if (c.state === "created") await startContainer(c.container);
    else {
      await launchContainer(c.container, {}, "run");
      // runc's state file, not `runc state`: a runc process less on the wake's path.
      pid = await containerPid(c.container);
    }
  } catch (err) {
    await removeAhead(c);
    throw err;
  }
  // Its age counts from its start, not from when it was made ahead.
  const created: InstanceRecord = { ...c.record, phase: "created", createdAt: t0 };
  deps.records.saveInstance(created);
  deps.logger("instance created", { serviceId: d.serviceId, instanceId: created.instanceId, madeAhead: c.state, runcMs: deps.clock.now() - t0 });
  return watch(deps, d, created, c.container, pid);
}

/** After a restart: an instance whose container still runs is watched again, not restarted. */
export async function adoptInstance(deps: InstanceDeps, d: DeploymentRecord, r: InstanceRecord): Promise<LiveInstance | undefined> {
  const container = containerSpecOf(deps, d, r);
  if (r.phase !== "created") return undefined;
  const state = await containerState(container);
  if (state.status !== "running") return undefined;
  return watch(deps, d, r, container, state.pid);
}

/** Stops watching, ships the last lines, removes container, overlay, cgroups, network (unless kept) and dir. */
export async function endInstance(deps: InstanceDeps, live: LiveInstance, opts: { keepNetwork?: boolean } = {}): Promise<void> {
  live.ending = true;
  live.checker.stop();
  await removeInstance(deps, live.container, live.tailer, opts);
}

export async function removeInstance(
  deps: Pick<InstanceDeps, "stopGraceMs">,
  container: ContainerRef & { network: InstanceNetwork },
  tailer?: LogTailer,
  opts: { keepNetwork?: boolean } = {},
): Promise<void> {
  await stopContainer(container, deps.stopGraceMs);
  // The output file goes with the instance directory: ship its last lines first.
  await tailer?.stop();
  await destroyContainer(container);
  if (!opts.keepNetwork) await destroyNetwork(container.network);
}
