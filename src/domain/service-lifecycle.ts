import type { ApiDeps } from "./api-context.js";
import { epochSeconds } from "../protocol/wire.js";
import { uuid } from "../util/random.js";
import { storedRequest, type OperationRequest } from "./operation-request.js";
import { appendServiceStatusChange } from "./service-bus-events.js";
import type { ServiceDoc, ServiceInternal, ServiceRow } from "./service-record.js";

/**
 * The one way an operation on a service starts, whoever asks (the API or automatic
 * deployment): the service shows OPERATION_IN_PROGRESS, the operation is recorded at the
 * engine's first phase with its typed request, and the engine is woken. Callers hold the
 * store's transaction, so the three happen together or not at all.
 */
export type LifecycleDeps = Pick<ApiDeps, "store" | "clock" | "random" | "config" | "engine">;

/** Records the operation `req` asks for and wakes the engine; the service's status is the caller's. */
export function recordOperation(deps: LifecycleDeps, s: ServiceRow, req: OperationRequest): string {
  const id = uuid(deps.random);
  deps.store.operations.insert({
    id,
    serviceArn: s.arn,
    type: req.type,
    status: "PENDING",
    startedAt: deps.clock.now(),
    state: { phase: deps.engine.firstPhaseOf(req.type), ...storedRequest(req) },
  });
  deps.engine.notify();
  return id;
}

/** The service shows OPERATION_IN_PROGRESS from the moment an operation is accepted, with its event. */
export function markInProgress(deps: LifecycleDeps, s: ServiceRow): void {
  appendServiceStatusChange(deps, { name: s.name, id: s.doc.ServiceId ?? "", arn: s.arn }, s.status, "OPERATION_IN_PROGRESS");
  s.status = "OPERATION_IN_PROGRESS";
  s.doc = { ...s.doc, Status: "OPERATION_IN_PROGRESS", UpdatedAt: epochSeconds(deps.clock.now()) };
  deps.store.resources.update(s);
}

/** An operation on an existing service: marked in progress, then recorded. */
export function startOperation(deps: LifecycleDeps, s: ServiceRow, req: OperationRequest): string {
  markInProgress(deps, s);
  return recordOperation(deps, s, req);
}

/**
 * A deployment nobody asked for through the API: a new image digest or commit found by
 * automatic deployment. Returns the operation id, or undefined when the service cannot deploy
 * now (another operation runs, it is paused, being deleted or gone); the caller tries later.
 */
export function startAutomaticDeployment(deps: LifecycleDeps, serviceArn: string, trigger: string): string | undefined {
  return deps.store.tx(() => {
    const s = deps.store.resources.get<ServiceDoc, ServiceInternal>(serviceArn);
    if (!s || s.kind !== "service" || s.deletedAt) return undefined;
    if (s.status !== "RUNNING" || deps.store.operations.openForService(s.arn).length > 0) return undefined;
    return startOperation(deps, s, { type: "START_DEPLOYMENT", trigger });
  });
}
