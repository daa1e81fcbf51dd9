import type { CallFacts } from "../iam/authorization.js";
import type { Principal } from "../iam/sigv4/verify.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";

/**
 * What the framework itself reads of the deps an endpoint serves its APIs with: request ids,
 * the call's time, and the region SigV4 scopes signatures to. What else handlers get (a store,
 * an account's quotas, an engine) is the APIs' own business: `Deps` below, named where they are.
 */
export interface EndpointDeps {
  clock: Clock;
  random: Random;
  config: { region: string };
}

/** What the framework adds for each call: who signed it and the id it is answered under. */
export interface CallContext {
  principal: Principal;
  requestId: string;
  /**
   * What the authorizer read of the HTTP call (source IP, time), for handlers that authorize
   * more on the caller's behalf (Parameter Store's kms:Decrypt on a customer managed key).
   */
  call?: CallFacts;
}

/** What a handler of an API served with `Deps` receives. */
export type RequestContext<Deps = unknown> = Deps & CallContext;

/** A handler receives input already checked against the model. */
export type OperationHandler<Deps = unknown> = (input: Record<string, unknown>, ctx: RequestContext<Deps>) => unknown;

/**
 * Binds a handler typed with the SDK's request type; the model validator has already run.
 * `Deps` is what the handler needs beyond the call (nothing, by default).
 */
export function handler<I, Deps = unknown>(fn: (input: I, ctx: RequestContext<Deps>) => unknown): OperationHandler<Deps> {
  return (input, ctx) => fn(input as I, ctx);
}

/** A handler that also takes its module's environment (a store of its own, a worker to wake). */
export type EnvHandler<Deps, Env> = (input: Record<string, unknown>, ctx: RequestContext<Deps>, env: Env) => unknown;

/** An API's handlers bound to its module's environment, as the endpoint calls them. */
export function bindEnv<Deps, Env>(handlers: Record<string, EnvHandler<Deps, Env>>, env: Env): Record<string, OperationHandler<Deps>> {
  const operations: Record<string, OperationHandler<Deps>> = {};
  for (const [name, op] of Object.entries(handlers)) operations[name] = (input, ctx) => op(input, ctx, env);
  return operations;
}
