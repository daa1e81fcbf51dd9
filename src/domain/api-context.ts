import { handler as bind, type OperationHandler as HandlerOf, type RequestContext as ContextOf } from "../protocol/context.js";
import type { OperationType } from "../store/operations.js";
import type { KeyService } from "../keys/key-service.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { ControlPlaneConfig } from "./config.js";
import type { CustomDomainNotifier } from "./custom-domains.js";
import type { InstanceDirectory } from "./instances.js";

/**
 * How the API hands work to the engine without knowing anything else of it: where the engine
 * begins an operation of a type (its phase names are its own) and a wake-up once it is recorded.
 */
export interface WorkNotifier {
  firstPhaseOf(type: OperationType): string;
  notify(): void;
}

/**
 * What the control plane's operation handlers may use (App Runner's, and the CloudWatch Logs
 * and EventBridge APIs served beside it): the composition root serves them with these.
 * Handlers write desired state; they never run anything.
 */
export interface ApiDeps {
  store: Store;
  clock: Clock;
  random: Random;
  config: ControlPlaneConfig;
  engine: WorkNotifier;
  /** The running driver's instances (read only: which node each runs on); absent without a runtime. */
  instances?: InstanceDirectory;
  /** KMS's keys, for a service's EncryptionConfiguration; absent: no KMS (a KmsKey is refused). */
  keys?: KeyService;
  /** The custom-domain controller, woken when an association changes; absent: nothing moves associations on. */
  customDomains?: CustomDomainNotifier;
}

/** What a control-plane handler receives: the deps above and the call's principal and request id. */
export type RequestContext = ContextOf<ApiDeps>;

export type OperationHandler = HandlerOf<ApiDeps>;

/** Binds a handler typed with the SDK's request type; the model validator has already run. */
export function handler<I>(fn: (input: I, ctx: RequestContext) => unknown): OperationHandler {
  return bind<I, ApiDeps>(fn);
}
