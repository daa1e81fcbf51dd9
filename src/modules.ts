import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiCallGate, ApiCallListener, AwsJsonApi } from "./protocol/service-registry.js";
import type { ApiDeps } from "./domain/api-context.js";
import type { ControlPlaneConfig } from "./domain/config.js";
import type { CredentialLookup } from "./iam/sigv4/verify.js";
import type { Authorizer } from "./iam/authorization.js";
import type { RoleDirectory } from "./iam/roles.js";
import type { KeyService } from "./keys/key-service.js";
import type { Store } from "./store/store.js";
import type { Clock } from "./util/clock.js";
import type { Random } from "./util/random.js";

/** What every control-plane module may use. */
export interface ModuleDeps {
  store: Store;
  dataDir: string;
  config: ControlPlaneConfig;
  clock: Clock;
  random: Random;
  credentials: CredentialLookup;
  /** Every API call, whatever its protocol, is authorized here (IAM policies) before it runs. */
  authorizer: Authorizer;
  /** IAM roles, for STS's AssumeRole and App Runner's own role sessions; absent: no roles. */
  roles?: RoleDirectory;
  /** KMS's keys (customer and AWS managed), for the KMS API and the services that encrypt with them; absent: no KMS. */
  keys?: KeyService;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Every API call, whatever its protocol, is asked here before it runs (the audit trail may refuse it). */
  admitApiCall: ApiCallGate;
  /** Every API call, whatever its protocol, is reported here (the audit trail listens). */
  recordApiCall: ApiCallListener;
}

/** A request the AWS JSON handler does not take (another protocol, another path). */
export interface HttpRoute {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * A part of the control plane beyond App Runner's own API (logs, metrics, events, audit):
 * the APIs it serves on the shared endpoint, routes for other protocols, and its lifecycle.
 * What a module offers the rest of the control plane (the logs module's log sink, the metrics
 * module's recorder) is its own type's to name; the composition root finds it there.
 */
export interface ControlPlaneModule {
  name: string;
  /** Served on the shared endpoint with the control plane's API deps. */
  apis?: AwsJsonApi<ApiDeps>[];
  routes?: HttpRoute[];
  /** Asked before every call runs, whatever its API; throwing refuses the call. */
  admitApiCall?: ApiCallGate;
  onApiCall?: ApiCallListener;
  start?(): void;
  stop?(): Promise<void>;
}

export type ModuleFactory = (deps: ModuleDeps) => ControlPlaneModule;

/** Builds the modules in the order given (each may rely on the ones before it). */
export function createModules(deps: ModuleDeps, factories: readonly ModuleFactory[]): ControlPlaneModule[] {
  return factories.map((make) => make(deps));
}

/** Stops modules in reverse order; one that fails to stop is logged and the rest still stop. */
export async function stopModules(modules: readonly ControlPlaneModule[], logger: ModuleDeps["logger"]): Promise<void> {
  for (const m of [...modules].reverse()) {
    try {
      await m.stop?.();
    } catch (err) {
      logger("a module failed to stop", { module: m.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** Every module's gate, in order: one that throws refuses the call, and its error is the caller's answer. */
export function admitThroughModules(modules: readonly ControlPlaneModule[]): ApiCallGate {
  const gates = modules.map((m) => m.admitApiCall).filter((g) => g !== undefined);
  return (call) => {
    for (const gate of gates) gate(call);
  };
}

/** Every listener hears every call; one that throws is logged and the others still hear it. */
export function fanOutApiCalls(listeners: readonly (ApiCallListener | undefined)[], logger: ModuleDeps["logger"]): ApiCallListener {
  const present = listeners.filter((l) => l !== undefined);
  return (call) => {
    for (const listener of present) {
      try {
        listener(call);
      } catch (err) {
        logger("an API call listener failed", { operation: call.operation, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
}
