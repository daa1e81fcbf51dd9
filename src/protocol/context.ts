import type { ControlPlaneConfig } from "../domain/config.js";
import type { Principal } from "../iam/sigv4/verify.js";
import type { OperationType } from "../store/operations.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";

/**
 * How the API hands work to the engine without knowing anything else of it: where the engine
 * begins an operation of a type (its phase names are its own) and a wake-up once it is recorded.
 */
export interface WorkNotifier {
  firstPhaseOf(type: OperationType): string;
  notify(): void;
}

/** What every operation handler may use. Handlers write desired state; they never run anything. */
export interface ApiDeps {
  store: Store;
  clock: Clock;
  random: Random;
  config: ControlPlaneConfig;
  engine: WorkNotifier;
}

export interface RequestContext extends ApiDeps {
  principal: Principal;
  requestId: string;
}

/** A handler receives input already checked against the model. */
export type OperationHandler = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

/** Binds a handler typed with the SDK's request type; the model validator has already run. */
export function handler<I>(fn: (input: I, ctx: RequestContext) => unknown): OperationHandler {
  return (input, ctx) => fn(input as I, ctx);
}
