import { join } from "node:path";
import type { ServiceDoc, ServiceInternal } from "../../domain/service-record.js";
import type { CanaryMeasurements } from "../../router/canary-measure.js";
import { HaproxyRouter } from "../../router/router.js";
import type { Store } from "../../store/store.js";
import type { ServiceEventRecorder } from "../../telemetry/service-events.js";
import type { LocalRuntimeSettings } from "./setup.js";

export interface DataPlaneDeps {
  dataDir: string;
  store: Store;
  events: ServiceEventRecorder;
  region: string;
  baseDomain: string;
  settings: LocalRuntimeSettings;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Gradual rollouts' measurements of the new version (fed by the request log). */
  canaries?: CanaryMeasurements;
}

/** The HAProxy data plane of the local runtime (none without router settings); a restart is told to each service it routes. */
export function dataPlaneRouter(deps: DataPlaneDeps): HaproxyRouter | undefined {
  const r = deps.settings.router;
  if (!r) return undefined;
  return new HaproxyRouter({
    routerDir: join(deps.dataDir, "router"),
    httpPort: r.httpPort,
    httpsPort: r.httpsPort,
    region: deps.region,
    baseDomain: deps.baseDomain,
    requestTimeoutMs: r.requestTimeoutMs,
    logger: deps.logger,
    ...(deps.canaries ? { canaries: deps.canaries } : {}),
    // The operator's log has HAProxy's own reason; a service's owner learns that requests may have failed.
    onRestart: (restart) => {
      const arns = new Map(deps.store.resources.list<ServiceDoc, ServiceInternal>({ kind: "service" }).map((s) => [s.doc.ServiceId, s.arn]));
      const message = `The request router stopped and was restarted with this service's route in ${restart.ms} ms. Requests in flight when it stopped may have failed.`;
      for (const s of restart.services) deps.events.eventsLine({ name: s.serviceName, id: s.serviceId, arn: arns.get(s.serviceId) ?? "" }, message);
    },
    // The router's own certificate serves every ServiceUrl: its renewal (in the background, 30 days
    // ahead) is in the operator's log, and a failing one in each service's events long before it expires.
    onCertificateRenewal: (outcome) => {
      deps.logger(`router certificate renewal: ${outcome.status}`, { message: outcome.message, notAfter: outcome.notAfter?.toISOString() });
      if (outcome.status !== "failed") return;
      const expires = outcome.notAfter ? ` It expires on ${outcome.notAfter.toISOString()}.` : "";
      for (const s of deps.store.resources.list<ServiceDoc, ServiceInternal>({ kind: "service" })) {
        if (s.deletedAt !== null) continue;
        deps.events.eventsLine({ name: s.name, id: s.doc.ServiceId ?? "", arn: s.arn }, `Renewing the certificate of the service's default domain failed: ${outcome.message} OpenRunner retries twice a day.${expires}`);
      }
    },
  });
}
