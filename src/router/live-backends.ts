import { backendName, serverLine } from "./haproxy-config.js";
import { splitFingerprint } from "./traffic-split.js";
import type { RoutedInstance, ServiceRoute } from "./types.js";

/**
 * What the running HAProxy worker has, and the pure decisions that bring one backend's servers
 * to a desired route over the runtime API.
 *
 * A server is
 * - serving: takes new requests;
 * - draining: leaving gracefully (weight 0): requests in flight finish;
 * - down: in maintenance (its instance failed, or it is about to be deleted): requests waiting to
 *   retry a connection to it go to another server at once, or wait for one (HOLD_LUA).
 */
export type ServerState = "serving" | "draining" | "down";

export interface LiveServer {
  inst: RoutedInstance;
  maxconn: number;
  state: ServerState;
  /** The runtime reported its instance dead or unhealthy: it never takes requests again. */
  failed: boolean;
}

export interface LiveBackend {
  /** The route this backend was last brought to. */
  route: ServiceRoute;
  fingerprint: string;
  servers: Map<string, LiveServer>;
}

export interface Command {
  text: string;
  /** What a successful answer matches; an empty answer when absent. */
  ok?: RegExp;
}

/** One server's change: its commands in order, then its new state; `retire` starts its removal. */
export interface ServerAction {
  id: string;
  commands: Command[];
  after: LiveServer;
  retire: boolean;
}

/** Backend settings that need a reload to change (servers do not). */
export const fingerprint = (r: ServiceRoute): string => `${r.requestTimeoutMs ?? "-"}|${r.tracing === true}|${splitFingerprint(r)}`;

const target = (be: string, id: string): string => `${be}/${id}`;

/**
 * Into rotation without HAProxy's queue grab (see serverLine): at weight 0 while leaving
 * maintenance, then weight 1 like a configured server. Dynamic servers' checks start disabled.
 */
function enable(be: string, id: string, added?: { inst: RoutedInstance; maxconn: number }): Command[] {
  const first: Command[] = added
    ? [
        { text: `add server ${be}/${serverLine(added.inst, added.maxconn, 0).slice("server ".length)}`, ok: /New server registered/ },
        { text: `enable health ${target(be, id)}` },
      ]
    : [{ text: `set weight ${target(be, id)} 0` }];
  return [...first, { text: `enable server ${target(be, id)}` }, { text: `set weight ${target(be, id)} 1` }];
}

const drainCmd = (be: string, id: string): Command => ({ text: `set server ${target(be, id)} state drain` });
const maintCmd = (be: string, id: string): Command => ({ text: `disable server ${target(be, id)}` });

/** Pure: the actions that bring `live` to `want` (whose fingerprint matches). */
export function planSync(want: ServiceRoute, live: LiveBackend): ServerAction[] {
  const be = backendName(want.serviceId);
  const maxconn = Math.max(1, want.maxConcurrency);
  const wanted = want.state === "serving" ? want.instances : [];
  const actions: ServerAction[] = [];
  for (const inst of wanted) {
    const cur = live.servers.get(inst.id);
    if (!cur) {
      actions.push({ id: inst.id, commands: enable(be, inst.id, { inst, maxconn }), after: { inst, maxconn, state: "serving", failed: false }, retire: false });
      continue;
    }
    if (cur.failed) continue; // the runtime replaces a failed instance; a stale route does not revive it
    const commands: Command[] = [];
    if (cur.inst.address !== inst.address || cur.inst.port !== inst.port) {
      commands.push({ text: `set server ${target(be, inst.id)} addr ${inst.address} port ${inst.port}`, ok: /changed|no need/ });
    }
    if (cur.maxconn !== maxconn) commands.push({ text: `set maxconn server ${target(be, inst.id)} ${maxconn}` });
    // Leaving drain does not grab queued requests; leaving maintenance does (hence enable()).
    if (cur.state === "draining") commands.push({ text: `set server ${target(be, inst.id)} state ready` });
    if (cur.state === "down") commands.push(...enable(be, inst.id));
    if (commands.length > 0 || cur.state !== "serving") {
      actions.push({ id: inst.id, commands, after: { ...cur, inst, maxconn, state: "serving" }, retire: false });
    }
  }
  const wantedIds = new Set(wanted.map((i) => i.id));
  // Their requests in flight finish first (a failed one is already down: planFailed).
  const leaving = [...live.servers.keys()].filter((id) => !wantedIds.has(id));
  return [...actions, ...planDrain(want.serviceId, live, leaving).map((a) => ({ ...a, retire: true }))];
}

/** Pure: serving servers among `ids` stop taking new requests; those in flight finish. */
export function planDrain(serviceId: string, live: LiveBackend, ids: readonly string[]): ServerAction[] {
  const be = backendName(serviceId);
  const actions: ServerAction[] = [];
  for (const id of ids) {
    const s = live.servers.get(id);
    if (s?.state === "serving") actions.push({ id, commands: [drainCmd(be, id)], after: { ...s, state: "draining" }, retire: false });
  }
  return actions;
}

/**
 * Pure: the runtime found these instances dead or unhealthy: into maintenance at once, so that
 * requests waiting to retry them move to another server (or wait for one, if none is left).
 */
export function planFailed(serviceId: string, live: LiveBackend, ids: readonly string[]): ServerAction[] {
  const be = backendName(serviceId);
  const actions: ServerAction[] = [];
  for (const id of ids) {
    const s = live.servers.get(id);
    if (!s || s.state === "down") continue;
    // A draining server is already being removed; it only moves to maintenance.
    actions.push({ id, commands: [maintCmd(be, id)], after: { ...s, failed: true, state: "down" }, retire: s.state === "serving" });
  }
  return actions;
}

/** Pure: the servers that take part in routing (what a config rendered now must hold). */
export const routedServers = (b: LiveBackend): RoutedInstance[] => [...b.servers.values()].filter((s) => s.state === "serving").map((s) => s.inst);

/** Pure: the routes a reload or restart renders; a failed instance is left out even while a route still lists it. */
export function workerRoutes(desired: Iterable<ServiceRoute>, live: ReadonlyMap<string, LiveBackend>): ServiceRoute[] {
  return [...desired].map((r) => {
    const b = live.get(r.serviceId);
    return b ? { ...r, instances: r.instances.filter((i) => b.servers.get(i.id)?.failed !== true) } : r;
  });
}

/** Pure: the worker's state right after it loaded `rendered`. */
export function liveFromRendered(rendered: readonly ServiceRoute[]): Map<string, LiveBackend> {
  const out = new Map<string, LiveBackend>();
  for (const r of rendered) {
    const servers = new Map<string, LiveServer>();
    const maxconn = Math.max(1, r.maxConcurrency);
    if (r.state === "serving") for (const inst of r.instances) servers.set(inst.id, { inst, maxconn, state: "serving", failed: false });
    out.set(r.serviceId, { route: r, fingerprint: fingerprint(r), servers });
  }
  return out;
}
