import { customDomainZoneOf, type ControlPlaneConfig } from "../domain/config.js";
import { CUSTOM_DOMAIN_STATUS, type CustomDomainNotifier } from "../domain/custom-domains.js";
import type { ServiceRow } from "../domain/service-record.js";
import type { Store } from "../store/store.js";
import type { ServiceEventRecorder } from "../telemetry/service-events.js";
import type { Clock } from "../util/clock.js";
import { PeriodicTask, type TaskLogger, type TaskTimers } from "../util/periodic-task.js";
import type { Random } from "../util/random.js";
import { CertificateFiles } from "./certificate-files.js";
import { bindStep, renewStep } from "./certificate-step.js";
import { activeHosts, errorText, isPending, NO_AUTHORITY_MESSAGE, save, statusEvent, statusOf, type CustomDomainParts, type CustomDomainRow, type StepContext } from "./context.js";
import { deleteStep } from "./delete-step.js";
import { IDLE_WAKE_MS, timingsOf, wakeDelay } from "./schedule.js";
import type { CustomDomainTimings } from "./types.js";
import { validateStep } from "./validate-step.js";

export interface CustomDomainControllerDeps {
  store: Store;
  config: ControlPlaneConfig;
  clock: Clock;
  random: Random;
  events: ServiceEventRecorder;
  logger: TaskLogger;
  dataDir: string;
  parts: CustomDomainParts;
  /** Where users' domains may point (A/AAAA) for HTTP-01. */
  dataPlaneAddresses?: readonly string[];
  timings?: Partial<CustomDomainTimings>;
  timers?: TaskTimers;
}

/**
 * Moves custom domain associations through App Runner's statuses (pending -> binding_certificate
 * -> active; deleting -> gone), renews their certificates, and keeps the data plane serving
 * exactly the active ones. One PeriodicTask, woken by the API on every change and otherwise at
 * the soonest time an association wants looking at (at least every minute). Nothing escapes a
 * run: failures become the association's StatusMessage, its events, or a log line.
 */
export class CustomDomainController implements CustomDomainNotifier {
  private readonly task: PeriodicTask;
  private readonly files: CertificateFiles;
  private readonly timings: CustomDomainTimings;
  private nextDelay = 0;
  private installed = false;
  /** Every service's custom hosts were set once since start (the router keeps them across restarts: stale ones go). */
  private routesSynced = false;
  /** What the data plane was last told each service's custom hosts are (service id -> sorted hosts). */
  private readonly routed = new Map<string, string>();

  constructor(private readonly deps: CustomDomainControllerDeps) {
    this.files = new CertificateFiles(deps.dataDir);
    this.timings = timingsOf(deps.timings);
    this.task = new PeriodicTask({
      name: "custom domain controller",
      everyMs: IDLE_WAKE_MS,
      firstRunMs: 0,
      nextRunInMs: () => this.nextDelay,
      run: (signal) => this.runOnce(signal),
      logger: deps.logger,
      ...(deps.timers ? { timers: deps.timers } : {}),
    });
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  changed(): void {
    this.task.runSoon();
  }

  initialStatusMessage(): string | undefined {
    return this.deps.parts.authority ? undefined : NO_AUTHORITY_MESSAGE;
  }

  /** One pass now (tests, and callers that must see its effect). */
  async runNow(): Promise<void> {
    await this.task.runNow();
  }

  private async runOnce(signal: AbortSignal): Promise<void> {
    const ctx: StepContext = {
      ...this.deps,
      files: this.files,
      timings: this.timings,
      zone: customDomainZoneOf(this.deps.config),
      dataPlaneAddresses: this.deps.dataPlaneAddresses ?? [],
      signal,
    };
    if (!this.installed) this.installed = await this.reinstall(ctx);
    const rows = this.deps.store.resources.list<CustomDomainRow["doc"]>({ kind: "custom-domain" });
    const wakeAts = await Promise.all(rows.map((row) => this.step(ctx, row)));
    await this.syncRoutes(ctx);
    await this.sweepFiles(ctx);
    this.nextDelay = wakeDelay(wakeAts, this.deps.clock.now());
  }

  private async step(ctx: StepContext, row: CustomDomainRow): Promise<number | undefined> {
    const s = this.deps.store.resources.get<ServiceRow["doc"], ServiceRow["internal"]>(row.parentArn);
    try {
      const status = statusOf(row);
      if (status === CUSTOM_DOMAIN_STATUS.deleting) return await deleteStep(ctx, row, (serviceId) => this.forget(serviceId));
      if (!s || s.deletedAt !== null) return undefined;
      if (isPending(status)) return await validateStep(ctx, row, s.doc.ServiceUrl ?? "");
      if (status === CUSTOM_DOMAIN_STATUS.bindingCertificate) return await bindStep(ctx, row);
      if (status === CUSTOM_DOMAIN_STATUS.active) return await renewStep(ctx, row);
      return undefined;
    } catch (err) {
      this.deps.logger("custom domain step failed", { domain: row.name, service: s?.name, error: errorText(err) });
      return this.deps.clock.now() + this.timings.firstRetryMs;
    }
  }

  /** A deleting association's service: its hosts are set again (without the domain) on this run's route sync. */
  private forget(serviceId: string): void {
    this.routed.delete(serviceId);
  }

  /**
   * At start: the data plane serves again every active association's certificate from its file
   * (it survives restarts); one whose file is gone is ordered again (binding_certificate).
   */
  private async reinstall(ctx: StepContext): Promise<boolean> {
    const dataPlane = this.deps.parts.dataPlane;
    let ok = true;
    for (const row of this.deps.store.resources.list<CustomDomainRow["doc"]>({ kind: "custom-domain" })) {
      if (statusOf(row) !== CUSTOM_DOMAIN_STATUS.active) continue;
      try {
        const pem = this.files.read(row.name);
        if (pem === undefined) {
          // A status change like any other: the owner sees in the events why the domain is being certified again.
          const message = `The certificate file ${this.files.path(row.name)} is missing; getting a new certificate.`;
          const to = CUSTOM_DOMAIN_STATUS.bindingCertificate;
          save(
            ctx,
            row.arn,
            CUSTOM_DOMAIN_STATUS.active,
            ({ Certificate: _gone, ...doc }) => ({ ...doc, Status: to, StatusMessage: message }),
            statusEvent(row, CUSTOM_DOMAIN_STATUS.active, to, `Custom domain ${row.name}: ${message}`, "ERROR"),
          );
          continue;
        }
        await dataPlane?.putCertificate(CertificateFiles.dataPlaneId(row.name), pem);
      } catch (err) {
        ok = false;
        this.deps.logger("serving a custom domain's certificate again failed", { domain: row.name, error: errorText(err) });
      }
    }
    return ok;
  }

  /** Each live service's custom hosts are its active associations' names; only changes go to the data plane. */
  private async syncRoutes(ctx: StepContext): Promise<void> {
    const dataPlane = this.deps.parts.dataPlane;
    if (!dataPlane) return;
    const desired = new Map<string, string[]>();
    for (const s of ctx.store.resources.list<ServiceRow["doc"], ServiceRow["internal"]>({ kind: "service" })) {
      const id = s.doc.ServiceId ?? "";
      const hosts = activeHosts(ctx, s.arn);
      if (hosts.length > 0 || this.routed.has(id) || !this.routesSynced) desired.set(id, hosts);
    }
    for (const id of this.routed.keys()) if (!desired.has(id)) desired.set(id, []);
    let failed = false;
    for (const [id, hosts] of desired) {
      const key = hosts.join(" ");
      if (this.routed.get(id) === key) continue;
      try {
        await dataPlane.setCustomDomainHosts(id, hosts);
        if (hosts.length > 0) this.routed.set(id, key);
        else this.routed.delete(id);
      } catch (err) {
        failed = true;
        this.deps.logger("routing a service's custom domains failed", { serviceId: id, hosts, error: errorText(err) });
      }
    }
    if (!failed) this.routesSynced = true;
  }

  /** Certificates of associations that are gone (a deleted service's) leave the data plane and the disk. */
  private async sweepFiles(ctx: StepContext): Promise<void> {
    const keep = new Set(
      ctx.store.resources
        .list<CustomDomainRow["doc"]>({ kind: "custom-domain" })
        .filter((r) => statusOf(r) !== CUSTOM_DOMAIN_STATUS.deleting)
        .map((r) => CertificateFiles.idOf(r.name)),
    );
    for (const id of this.files.ids()) {
      if (keep.has(id)) continue;
      try {
        const domain = CertificateFiles.domainOf(id);
        await this.deps.parts.dataPlane?.removeCertificate(CertificateFiles.dataPlaneId(domain));
        this.files.remove(domain);
      } catch (err) {
        this.deps.logger("removing a custom domain's certificate failed", { id, error: errorText(err) });
      }
    }
  }
}
