import { mkdirSync } from "node:fs";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { PeriodicTask } from "../util/periodic-task.js";
import { CustomDomainPlane } from "./custom-domain-plane.js";
import { backendName, paths, renderConfig, renderHostsMap, type RouterSettings } from "./haproxy-config.js";
import { HaproxyProcess } from "./haproxy-process.js";
import { fingerprint, liveFromRendered, planDrain, planFailed, planSync, routedServers, workerRoutes, type LiveBackend, type ServerAction } from "./live-backends.js";
import { parseCounters, type CounterSnapshot } from "./request-counts.js";
import { HostMaps } from "./host-maps.js";
import { RouterFiles } from "./router-files.js";
import type { DataPlaneRestart, HaproxyRouterOptions } from "./router-options.js";
import { startRouterTls } from "./router-tls.js";
import { Restarter } from "./restarter.js";
import { Retirement } from "./server-retirement.js";
import { backendStats, parseStatCsv, toBackendLoads, type BackendStats } from "./stats.js";
import { cutSplit, renderSplitsMap, splitPercentCommand } from "./traffic-split.js";
import type { BackendLoad, CustomDomainDataPlane, ServiceRoute, TrafficRouter, VersionMeasurement } from "./types.js";
import { Watchdog } from "./watchdog.js";

export type { DataPlaneRestart, HaproxyRouterOptions } from "./router-options.js";

const DEFAULT_DRAIN_MS = 30_000;
/** How often the master is checked for life: a restart follows within about this plus ~150 ms. */
const WATCHDOG_MS = 200;
const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The data plane: one HAProxy master per routerDir, restarted with the current routes if it
 * exits. Server changes go through the runtime API (no reload); new or removed services and
 * backend settings need a hitless reload, serialized and coalesced. Host names live in a map file
 * edited at runtime.
 */
export class HaproxyRouter implements TrafficRouter, CustomDomainDataPlane {
  readonly process: HaproxyProcess;
  /** The root certificate users trust (only when HTTPS is on, after start()). */
  caCertPath: string | undefined;
  /** Reloads this router performed, with how long each took (ms). */
  readonly reloadTimes: number[] = [];
  /** Restarts after HAProxy exited. */
  readonly restarts: DataPlaneRestart[];
  private readonly desired = new Map<string, ServiceRoute>();
  private live = new Map<string, LiveBackend>();
  private readonly hostMaps: HostMaps;
  private readonly domains: CustomDomainPlane;
  private renewal: PeriodicTask | undefined;
  private settings: RouterSettings;
  private readonly p: ReturnType<typeof paths>;
  private tail: Promise<unknown> = Promise.resolve();
  private pendingReload: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly watchdog: Watchdog;
  private readonly restarter: Restarter;
  private readonly files: RouterFiles;
  private readonly retirement: Retirement;

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
    this.files = new RouterFiles(opts.routerDir);
    this.domains = new CustomDomainPlane({
      files: this.files,
      challengesMap: this.p.challengesMap,
      cmd: (text) => this.cmd(text),
      mutate: (fn) => this.mutate(fn, undefined),
      syncHosts: () => this.syncHosts(),
    });
    this.hostMaps = new HostMaps({
      files: this.files,
      hostsMap: this.p.hostsMap,
      wildcardsMap: this.p.wildcardsMap,
      cmd: (text) => this.cmd(text),
      customHosts: this.domains.hosts,
    });
    this.retirement = new Retirement({
      live: (serviceId) => this.live.get(serviceId),
      cmd: (text, ok) => this.cmd(text, ok),
      ask: (text) => this.process.admin.command(text),
      read: (text) => this.recovering(() => this.process.admin.command(text)),
      oldWorkers: async () => (await this.recovering(() => this.process.procs())).oldWorkers.length,
      serial: (fn) => this.serial(fn),
      changed: () => this.writeConfig(),
      logger: opts.logger,
      signal: this.abort.signal,
    });
    this.restarter = new Restarter({
      process: this.process,
      signal: this.abort.signal,
      startNow: () => this.startNow(),
      services: () => [...this.live.values()].map((b) => ({ serviceId: b.route.serviceId, serviceName: b.route.serviceName })),
      everyMs: WATCHDOG_MS,
      logger: opts.logger,
      ...(opts.onRestart ? { onRestart: opts.onRestart } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.restarts = this.restarter.restarts;
    this.watchdog = new Watchdog({
      everyMs: WATCHDOG_MS,
      alive: () => this.process.alive(),
      restart: () => this.serial(() => this.restarter.restartIfDead(true)),
      logger: opts.logger,
    });
  }

  /** Where request lines go (a TCP port known only once the receiver listens); takes effect at start(). */
  setLogTarget(target: string): void {
    this.settings = { ...this.settings, logTarget: target };
  }

  /** Adopts a running HAProxy of this routerDir (then reloads it with the routes in routes.json), or starts one. */
  async start(): Promise<void> {
    mkdirSync(this.opts.routerDir, { recursive: true, mode: 0o700 });
    if (this.opts.httpsPort > 0) {
      const tls = await startRouterTls({
        ...this.opts,
        certsDir: this.p.certsDir,
        crtList: this.p.crtList,
        cmd: (text, ok, payload) => this.cmd(text, ok, payload),
        ask: (text) => this.process.admin.command(text),
        alive: () => this.process.alive(),
        mutate: (fn) => this.mutate(fn, undefined),
      });
      this.caCertPath = tls.caCert;
      this.settings = { ...this.settings, tlsPem: tls.tlsPem };
      this.domains.certificates = tls.certificates;
      this.renewal = tls.renewal;
    }
    for (const r of this.files.readRoutes()) this.desired.set(r.serviceId, r);
    this.files.writeHoldScript();
    if (await this.process.adopt()) {
      // Dynamic servers and map edits are not in haproxy.cfg: a reload makes the worker match routes.json exactly.
      await this.requestReload();
    } else {
      await this.serial(() => this.startNow());
    }
    this.watchdog.start();
    this.renewal?.start();
  }

  /** Stops HAProxy (soft stop, then SIGTERM) by its recorded PID and removes its sockets and pid file. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.renewal?.stop();
    await this.watchdog.stop();
    await this.serial(() => this.process.stop());
  }

  /** Forgets background work but leaves HAProxy serving (control plane shutdown). */
  detach(): void {
    this.abort.abort();
    // Never rejects; the check under way (if any) ends on its own.
    void this.watchdog.stop();
    void this.renewal?.stop();
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
    this.files.writeRoutes(this.desired.values());
    try {
      const done = await this.mutate(() => this.syncService(id), true);
      if (!done) await this.requestReload();
    } catch (err) {
      if (this.desired.get(id) === route) {
        if (previous) this.desired.set(id, previous);
        else this.desired.delete(id);
        this.files.writeRoutes(this.desired.values());
        this.hostMaps.write(this.routes());
      }
      throw err;
    }
  }

  async drain(serviceId: string, instanceIds: readonly string[], timeoutMs = DEFAULT_DRAIN_MS): Promise<void> {
    const route = this.desired.get(serviceId);
    if (route && route.instances.some((i) => instanceIds.includes(i.id))) {
      this.desired.set(serviceId, { ...route, instances: route.instances.filter((i) => !instanceIds.includes(i.id)) });
      this.files.writeRoutes(this.desired.values());
    }
    await this.mutate(async () => {
      const live = this.live.get(serviceId);
      if (live) await this.run(serviceId, planDrain(serviceId, live, instanceIds));
    }, undefined);
    await this.retirement.retire(serviceId, instanceIds, timeoutMs);
  }

  /**
   * The runtime found these instances dead or unhealthy: they take no new request from now on,
   * without waiting for the service's next route. A service left without a usable instance holds
   * its requests (HOLD_LUA) until a replacement joins.
   */
  async failed(serviceId: string, instanceIds: readonly string[]): Promise<void> {
    const gone = await this.mutate(async () => {
      const live = this.live.get(serviceId);
      return live ? this.run(serviceId, planFailed(serviceId, live, instanceIds)) : [];
    }, []);
    if (gone.length > 0) this.retireInBackground(serviceId, gone);
  }

  async remove(serviceId: string): Promise<void> {
    if (!this.desired.delete(serviceId)) return;
    this.files.writeRoutes(this.desired.values());
    await this.mutate(() => this.syncHosts(), undefined); // its hosts answer 404 at once
    await this.requestReload();
  }

  async startFailed(serviceId: string, forMs: number): Promise<void> {
    if (!this.desired.has(serviceId)) return;
    await this.recovering(() => this.process.admin.command(`openrunner start-failed ${backendName(serviceId)} ${Math.max(0, Math.round(forMs))}`));
  }

  async load(): Promise<BackendLoad[]> {
    const loads = toBackendLoads(await this.stats());
    return loads.filter((l) => this.desired.has(l.serviceId));
  }

  measureCanary(serviceId: string, windowMs: number): Promise<VersionMeasurement> {
    return Promise.resolve(this.opts.canaries?.measure(serviceId, windowMs) ?? { requests: 0, errors5xx: 0 });
  }

  /**
   * Cumulative request counters of every service backend, with the worker that counted them.
   * One connection runs both commands, so the PID and the counters come from the same worker
   * even across a reload.
   */
  async counters(): Promise<CounterSnapshot> {
    return parseCounters(await this.recovering(() => this.process.admin.command("show info; show stat -1 2 -1")));
  }

  /** Per backend counters and load from `show stat` (backends and servers). */
  async stats(): Promise<BackendStats[]> {
    return backendStats(parseStatCsv(await this.recovering(() => this.process.admin.command("show stat -1 6 -1"))));
  }

  // ---- custom domains (CustomDomainDataPlane) ---------------------------------------------

  setCustomDomainHosts = (serviceId: string, hosts: readonly string[]): Promise<void> => this.domains.setHosts(serviceId, hosts);
  putCertificate = (id: string, pem: string): Promise<void> => this.domains.putCertificate(id, pem);
  removeCertificate = (id: string): Promise<void> => this.domains.removeCertificate(id);
  setHttpChallenge = (token: string, keyAuthorization: string): Promise<void> => this.domains.setHttpChallenge(token, keyAuthorization);
  clearHttpChallenge = (token: string): Promise<void> => this.domains.clearHttpChallenge(token);

  // ---- internals -------------------------------------------------------------------------

  /** Every file the config refers to besides haproxy.cfg, as the routes about to be rendered need them. */
  private writeDataFiles(routes: readonly ServiceRoute[]): void {
    this.hostMaps.write(routes);
    this.domains.writeFiles();
    this.files.writeSplits(renderSplitsMap(routes, backendName));
  }

  /** Runs data plane mutations one at a time; a failure is reported to its own caller only. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(
      () => fn(),
      () => fn(),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * A serialized change; if it failed because HAProxy is gone, the restart renders the desired
   * state (this change included) and `recovered` is the result.
   */
  private async mutate<T>(fn: () => Promise<T>, recovered: T): Promise<T> {
    try {
      return await this.serial(fn);
    } catch (err) {
      if (await this.process.alive()) throw err;
      await this.serial(() => this.restarter.restartIfDead());
      return recovered;
    }
  }

  /** A read of HAProxy that waits for a restart instead of failing while HAProxy is being brought back. */
  private async recovering<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (this.abort.signal.aborted || (await this.process.alive())) throw err;
      await this.serial(() => this.restarter.restartIfDead());
      return read();
    }
  }

  /** Joins the reload that is queued but not started yet, or queues one: bursts become one reload. */
  private requestReload(): Promise<void> {
    if (!this.pendingReload) {
      const op: Promise<void> = this.mutate(async () => {
        if (this.pendingReload === op) this.pendingReload = undefined;
        await this.reloadNow();
      }, undefined);
      this.pendingReload = op;
    }
    return this.pendingReload;
  }

  private async reloadNow(): Promise<void> {
    const routes = workerRoutes(this.desired.values(), this.live);
    this.writeDataFiles(routes);
    const { workerPid, ms } = await this.process.reload(renderConfig(this.settings, routes));
    this.reloadTimes.push(ms);
    this.opts.logger("haproxy reloaded", { workerPid, ms, services: routes.length });
    this.markLive(routes);
  }

  private async startNow(): Promise<void> {
    const routes = workerRoutes(this.desired.values(), this.live);
    this.writeDataFiles(routes);
    await this.process.start(renderConfig(this.settings, routes));
    this.markLive(routes);
  }

  /**
   * After a (re)start or reload the worker has exactly what was rendered: routes that changed or
   * arrived while it loaded are not live, so their apply() asks for another reload.
   */
  private markLive(rendered: readonly ServiceRoute[]): void {
    this.live = liveFromRendered(rendered);
    this.hostMaps.rendered(rendered);
  }

  /** Brings one service's servers and hosts to the desired state over the runtime API; false when a reload is needed instead. */
  private async syncService(id: string): Promise<boolean> {
    const want = this.desired.get(id);
    const live = this.live.get(id);
    if (!want) return true;
    if (!live || live.fingerprint !== fingerprint(want)) return cutSplit(want, live?.route, this.p.splitsMap, backendName, (text) => this.cmd(text));
    const gone = await this.run(id, planSync(want, live));
    const split = splitPercentCommand(want, live.route, this.p.splitsMap, backendName);
    if (split) await this.cmd(split);
    live.route = want;
    await this.syncHosts();
    this.writeConfig();
    if (gone.length > 0) this.retireInBackground(id, gone);
    return true;
  }

  /** Runs server actions in order, recording each server's new state once its commands succeeded; returns the servers to retire. */
  private async run(serviceId: string, actions: readonly ServerAction[]): Promise<string[]> {
    const live = this.live.get(serviceId);
    const retire: string[] = [];
    if (!live) return retire;
    for (const a of actions) {
      for (const c of a.commands) await this.cmd(c.text, c.ok);
      live.servers.set(a.id, a.after);
      if (a.retire) retire.push(a.id);
    }
    if (actions.length > 0) this.writeConfig();
    return retire;
  }

  /** Edits the running map to match the desired hosts whose backends exist in the worker. */
  private async syncHosts(): Promise<void> {
    const live = [...this.desired.values()].filter((r) => r.state === "paused" || this.live.has(r.serviceId));
    await this.hostMaps.sync(live, this.routes());
  }

  private retireInBackground(serviceId: string, ids: readonly string[]): void {
    this.retirement.retire(serviceId, ids, DEFAULT_DRAIN_MS).catch((err: unknown) =>
      this.opts.logger("removing servers failed", { serviceId, servers: ids, error: errText(err) }),
    );
  }

  /** One runtime API command; HAProxy answers errors in text, so anything unexpected throws. */
  private async cmd(text: string, ok?: RegExp, payload?: string): Promise<string> {
    const out = (await this.process.admin.command(text, payload)).trim();
    if (ok ? !ok.test(out) : out !== "") {
      throw new AppRunnerError("InternalServiceError", `HAProxy refused "${text}": ${out || "(no answer)"}`);
    }
    return out;
  }

  /**
   * haproxy.cfg as the worker is now (servers added and deleted at runtime included), so the file
   * never names a server that is gone. Reloads and restarts render and validate it anew.
   */
  private writeConfig(): void {
    const routes = [...this.live.values()].map((b) => ({ ...b.route, instances: routedServers(b) }));
    this.files.writeConfig(renderConfig(this.settings, routes));
  }
}
