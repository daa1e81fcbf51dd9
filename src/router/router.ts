import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { ensureCertificates } from "./certificates.js";
import { backendName, mapTarget, paths, PAUSED_BACKEND, renderConfig, renderHostsMap, serverLine, type RouterSettings } from "./haproxy-config.js";
import { HaproxyProcess, type Logger } from "./haproxy-process.js";
import type { CounterSnapshot } from "./request-counts.js";
import { parseInfo } from "./runtime-api.js";
import { backendStats, parseStatCsv, toBackendLoads, type BackendStats } from "./stats.js";
import type { BackendLoad, RoutedInstance, ServiceRoute, TrafficRouter } from "./types.js";

export interface HaproxyRouterOptions {
  routerDir: string;
  httpPort: number;
  /** 0 = no HTTPS. */
  httpsPort: number;
  region: string;
  baseDomain: string;
  requestTimeoutMs?: number;
  queueTimeoutMs?: number;
  /** Where the request-log ring forwards (TCP), e.g. "127.0.0.1:5140". */
  logTarget?: string;
  logger: Logger;
  /** The haproxy executable; "haproxy" on PATH by default. */
  haproxyBinary?: string;
}

/** What the current worker has for one service (servers added at runtime included). */
interface LiveBackend {
  fingerprint: string;
  servers: Map<string, { inst: RoutedInstance; maxconn: number; draining: boolean }>;
}

const DEFAULT_DRAIN_MS = 30_000;
const fingerprint = (r: ServiceRoute): string => `${r.requestTimeoutMs ?? "-"}|${r.tracing === true}`;
const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The data plane: one HAProxy master per routerDir. Server changes go through the runtime API
 * (no reload); new or removed services and backend settings need a hitless reload, serialized
 * and coalesced. Host names live in a map file edited at runtime.
 */
export class HaproxyRouter implements TrafficRouter {
  readonly process: HaproxyProcess;
  /** The root certificate users trust (only when HTTPS is on, after start()). */
  caCertPath: string | undefined;
  /** Reloads this router performed, with how long each took (ms). */
  readonly reloadTimes: number[] = [];
  private readonly desired = new Map<string, ServiceRoute>();
  private readonly live = new Map<string, LiveBackend>();
  private liveMap = new Map<string, string>();
  private settings: RouterSettings;
  private readonly p: ReturnType<typeof paths>;
  private tail: Promise<unknown> = Promise.resolve();
  private pendingReload: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly opts: HaproxyRouterOptions) {
    if (/\s/.test(opts.routerDir)) throw new AppRunnerError("HostSetupFailed", "The router directory must not contain spaces.");
    this.p = paths(opts.routerDir);
    this.process = new HaproxyProcess({ routerDir: opts.routerDir, logger: opts.logger, binary: opts.haproxyBinary });
    this.settings = {
      routerDir: opts.routerDir,
      httpPort: opts.httpPort,
      httpsPort: opts.httpsPort,
      requestTimeoutMs: opts.requestTimeoutMs,
      queueTimeoutMs: opts.queueTimeoutMs,
      logTarget: opts.logTarget,
    };
  }

  /** Where request lines go (a TCP port known only once the receiver listens); takes effect at start(). */
  setLogTarget(target: string): void {
    this.settings = { ...this.settings, logTarget: target };
  }

  /** Adopts a running HAProxy of this routerDir (then reloads it with the routes in routes.json), or starts one. */
  async start(): Promise<void> {
    mkdirSync(this.opts.routerDir, { recursive: true, mode: 0o700 });
    if (this.opts.httpsPort > 0) {
      const certs = await ensureCertificates(this.opts.routerDir, this.opts.region, this.opts.baseDomain);
      this.caCertPath = certs.caCert;
      this.settings = { ...this.settings, tlsPem: certs.tlsPem };
    }
    for (const r of this.readRoutes()) this.desired.set(r.serviceId, r);
    this.writeHostsMap();
    if (await this.process.adopt()) {
      // Dynamic servers and map edits are not in haproxy.cfg: a reload makes the worker match routes.json exactly.
      await this.requestReload();
    } else {
      await this.process.start(renderConfig(this.settings, [...this.desired.values()]));
      this.markAllLive();
    }
  }

  /** Stops HAProxy (soft stop, then SIGTERM) by its recorded PID and removes its sockets and pid file. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.serial(() => this.process.stop());
  }

  /** Forgets background work but leaves HAProxy serving (control plane shutdown). */
  detach(): void {
    this.abort.abort();
  }

  /** Routes this router knows (from apply() and routes.json). */
  routes(): ServiceRoute[] {
    return [...this.desired.values()];
  }

  async apply(input: ServiceRoute): Promise<void> {
    const route: ServiceRoute = { ...input, hosts: input.hosts.map((h) => h.toLowerCase()), instances: [...input.instances] };
    renderConfig({ ...this.settings, httpsPort: 0 }, [route]); // refuses unsafe names before anything changes
    renderHostsMap([route]);
    const id = route.serviceId;
    const previous = this.desired.get(id);
    this.desired.set(id, route);
    this.writeRoutes();
    try {
      const done = await this.serial(() => this.syncService(id));
      if (!done) await this.requestReload();
    } catch (err) {
      if (this.desired.get(id) === route) {
        if (previous) this.desired.set(id, previous);
        else this.desired.delete(id);
        this.writeRoutes();
        this.writeHostsMap();
      }
      throw err;
    }
  }

  async drain(serviceId: string, instanceIds: readonly string[], timeoutMs = DEFAULT_DRAIN_MS): Promise<void> {
    const route = this.desired.get(serviceId);
    if (route && route.instances.some((i) => instanceIds.includes(i.id))) {
      this.desired.set(serviceId, { ...route, instances: route.instances.filter((i) => !instanceIds.includes(i.id)) });
      this.writeRoutes();
    }
    await this.serial(async () => {
      const live = this.live.get(serviceId);
      for (const id of instanceIds) {
        const s = live?.servers.get(id);
        if (s && !s.draining) {
          await this.cmd(`set server ${backendName(serviceId)}/${id} state drain`);
          s.draining = true;
        }
      }
    });
    await this.drainAndDelete(serviceId, instanceIds, timeoutMs);
  }

  async remove(serviceId: string): Promise<void> {
    if (!this.desired.delete(serviceId)) return;
    this.writeRoutes();
    await this.serial(() => this.syncHosts()); // its hosts answer 404 at once
    await this.requestReload();
  }

  async load(): Promise<BackendLoad[]> {
    const loads = toBackendLoads(await this.stats());
    return loads.filter((l) => this.desired.has(l.serviceId));
  }

  /**
   * Cumulative request counters of every service backend, with the worker that counted them.
   * One connection runs both commands, so the PID and the counters come from the same worker
   * even across a reload.
   */
  async counters(): Promise<CounterSnapshot> {
    const out = await this.process.admin.command("show info; show stat -1 2 -1");
    const csvAt = out.indexOf("# pxname");
    const worker = Number(parseInfo(csvAt < 0 ? out : out.slice(0, csvAt)).get("Pid"));
    if (csvAt < 0 || !Number.isInteger(worker) || worker <= 0) {
      throw new AppRunnerError("InternalServiceError", `HAProxy answered show info/show stat without a PID or counters: ${out.slice(0, 200)}`);
    }
    const backends = backendStats(parseStatCsv(out.slice(csvAt)))
      .filter((b) => b.backend.startsWith("s_"))
      .map((b) => ({
        serviceId: b.backend.slice(2),
        requests: b.requests,
        status2xx: b.responses2xx,
        status4xx: b.responses4xx,
        status5xx: b.responses5xx,
      }));
    return { worker, backends };
  }

  /** Per backend counters and load from `show stat` (backends and servers). */
  async stats(): Promise<BackendStats[]> {
    return backendStats(parseStatCsv(await this.process.admin.command("show stat -1 6 -1")));
  }

  // ---- internals -------------------------------------------------------------------------

  /** Runs data plane mutations one at a time; a failure is reported to its own caller only. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(
      () => fn(),
      () => fn(),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Joins the reload that is queued but not started yet, or queues one: bursts become one reload. */
  private requestReload(): Promise<void> {
    if (!this.pendingReload) {
      const op: Promise<void> = this.serial(async () => {
        if (this.pendingReload === op) this.pendingReload = undefined;
        await this.reloadNow();
      });
      this.pendingReload = op;
    }
    return this.pendingReload;
  }

  private async reloadNow(): Promise<void> {
    const routes = [...this.desired.values()];
    this.writeHostsMap();
    const { workerPid, ms } = await this.process.reload(renderConfig(this.settings, routes));
    this.reloadTimes.push(ms);
    this.opts.logger("haproxy reloaded", { workerPid, ms, services: routes.length });
    this.markAllLive();
  }

  /** After a (re)start the worker has exactly the desired state. */
  private markAllLive(): void {
    this.live.clear();
    for (const r of this.desired.values()) {
      const servers = new Map<string, { inst: RoutedInstance; maxconn: number; draining: boolean }>();
      if (r.state === "serving") for (const inst of r.instances) servers.set(inst.id, { inst, maxconn: r.maxConcurrency, draining: false });
      this.live.set(r.serviceId, { fingerprint: fingerprint(r), servers });
    }
    this.liveMap = this.desiredMap();
  }

  /** Brings one service's servers and hosts to the desired state over the runtime API; false when a reload is needed instead. */
  private async syncService(id: string): Promise<boolean> {
    const want = this.desired.get(id);
    const live = this.live.get(id);
    if (!want) return true;
    if (!live || live.fingerprint !== fingerprint(want)) return false;
    const be = backendName(id);
    const wanted = want.state === "serving" ? want.instances : [];
    const maxconn = Math.max(1, want.maxConcurrency);
    for (const inst of wanted) {
      const cur = live.servers.get(inst.id);
      if (!cur) {
        // Dynamic servers start in maintenance: enable them once registered.
        await this.cmd(`add server ${be}/${serverLine(inst, maxconn).slice("server ".length)}`, /New server registered/);
        await this.cmd(`enable server ${be}/${inst.id}`);
        live.servers.set(inst.id, { inst, maxconn, draining: false });
        continue;
      }
      if (cur.inst.address !== inst.address || cur.inst.port !== inst.port) {
        await this.cmd(`set server ${be}/${inst.id} addr ${inst.address} port ${inst.port}`, /changed|no need/);
        cur.inst = inst;
      }
      if (cur.maxconn !== maxconn) {
        await this.cmd(`set maxconn server ${be}/${inst.id} ${maxconn}`);
        cur.maxconn = maxconn;
      }
      if (cur.draining) {
        await this.cmd(`set server ${be}/${inst.id} state ready`);
        cur.draining = false;
      }
    }
    const gone: string[] = [];
    for (const [sid, s] of live.servers) {
      if (s.draining || wanted.some((i) => i.id === sid)) continue;
      await this.cmd(`set server ${be}/${sid} state drain`);
      s.draining = true;
      gone.push(sid);
    }
    await this.syncHosts();
    if (gone.length > 0) {
      this.drainAndDelete(id, gone, DEFAULT_DRAIN_MS).catch((err: unknown) =>
        this.opts.logger("removing drained servers failed", { serviceId: id, servers: gone, error: errText(err) }),
      );
    }
    return true;
  }

  /** Edits the running map to match the desired hosts whose backends exist in the worker. */
  private async syncHosts(): Promise<void> {
    const want = this.desiredMap();
    for (const [host, target] of want) if (target !== PAUSED_BACKEND && !this.live.has(target.slice(2))) want.delete(host);
    for (const host of this.liveMap.keys()) {
      if (!want.has(host)) await this.cmd(`del map ${this.p.hostsMap} ${host}`);
    }
    for (const [host, target] of want) {
      const cur = this.liveMap.get(host);
      if (cur === undefined) await this.cmd(`add map ${this.p.hostsMap} ${host} ${target}`);
      else if (cur !== target) await this.cmd(`set map ${this.p.hostsMap} ${host} ${target}`);
    }
    this.liveMap = want;
    this.writeHostsMap();
  }

  /** Waits (bounded) until these servers have no request in flight and no old worker may still use them, then deletes them. */
  private async drainAndDelete(serviceId: string, ids: readonly string[], timeoutMs: number): Promise<void> {
    const be = backendName(serviceId);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.abort.signal.aborted) {
      const stats = (await this.stats()).find((s) => s.backend === be);
      const busy = ids.some((id) => {
        const s = stats?.perServer[id];
        return s !== undefined && s.scur + s.qcur > 0;
      });
      // An old worker (from a reload) may still be serving requests on these instances.
      const old = busy ? 1 : (await this.process.procs()).oldWorkers.length;
      if (!busy && old === 0) break;
      await sleep(100);
    }
    if (this.abort.signal.aborted) return;
    await this.serial(async () => {
      const live = this.live.get(serviceId);
      for (const id of ids) {
        const s = live?.servers.get(id);
        if (!live || !s || !s.draining) continue; // re-added meanwhile, or gone with a reload
        await this.cmd(`disable server ${be}/${id}`);
        const out = await this.process.admin.command(`del server ${be}/${id}`);
        if (!/Server deleted/.test(out)) {
          // Timed out with connections left: close them, then delete.
          await this.cmd(`shutdown sessions server ${be}/${id}`);
          await this.cmd(`del server ${be}/${id}`, /Server deleted/);
        }
        live.servers.delete(id);
      }
    });
  }

  /** One runtime API command; HAProxy answers errors in text, so anything unexpected throws. */
  private async cmd(text: string, ok?: RegExp): Promise<string> {
    const out = (await this.process.admin.command(text)).trim();
    if (ok ? !ok.test(out) : out !== "") {
      throw new AppRunnerError("InternalServiceError", `HAProxy refused "${text}": ${out || "(no answer)"}`);
    }
    return out;
  }

  private desiredMap(): Map<string, string> {
    const m = new Map<string, string>();
    for (const r of this.desired.values()) for (const h of r.hosts) m.set(h, mapTarget(r));
    return m;
  }

  private writeHostsMap(): void {
    this.atomicWrite(this.p.hostsMap, renderHostsMap([...this.desired.values()]));
  }

  private writeRoutes(): void {
    this.atomicWrite(this.p.routes, JSON.stringify({ routes: [...this.desired.values()] }, null, 2) + "\n");
  }

  private readRoutes(): ServiceRoute[] {
    let text: string;
    try {
      text = readFileSync(this.p.routes, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const parsed = JSON.parse(text) as { routes?: ServiceRoute[] };
    return Array.isArray(parsed.routes) ? parsed.routes : [];
  }

  private atomicWrite(path: string, text: string): void {
    writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }
}
