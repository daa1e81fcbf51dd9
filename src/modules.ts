import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiCallGate, ApiCallListener, AwsJsonApi } from "./protocol/service-registry.js";
import type { ControlPlaneConfig } from "./domain/config.js";
import type { CredentialLookup } from "./iam/sigv4/verify.js";
import type { Store } from "./store/store.js";
import type { LogSink } from "./telemetry/log-sink.js";
import type { MetricsRecorder, ServiceUsageRecorder } from "./telemetry/metrics/recorder.js";
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
 */
export interface ControlPlaneModule {
  name: string;
  apis?: AwsJsonApi[];
  routes?: HttpRoute[];
  /** Asked before every call runs, whatever its API; throwing refuses the call. */
  admitApiCall?: ApiCallGate;
  onApiCall?: ApiCallListener;
  /** Where service and application log lines go, when this module stores logs. */
  logSink?: LogSink;
  /** Where the data plane reports requests, and the runtime instance and service usage, when this module stores metrics. */
  metricsRecorder?: MetricsRecorder & ServiceUsageRecorder;
  start?(): void;
  stop?(): Promise<void>;
}

export type ModuleFactory = (deps: ModuleDeps) => ControlPlaneModule;
