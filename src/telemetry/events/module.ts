import type { ControlPlaneModule, ModuleDeps, ModuleFactory } from "../../modules.js";
import { eventBridgeApi } from "./api/api.js";
import type { FetchFn } from "./delivery/http-sender.js";
import { DEFAULT_RETRY, type RetrySettings } from "./delivery/retry-policy.js";
import { DeliveryWorker } from "./delivery/worker.js";
import { PatternCache } from "./pattern/pattern.js";
import { EventsDb } from "./store/events-db.js";
import { eventsAuthorization } from "./api/authorization.js";

export interface EventsModuleOptions {
  /** Attempts and backoff per delivery; tests shrink them. Default: 5 attempts over about a minute. */
  retry?: Partial<RetrySettings>;
  /** How often the worker looks at the outbox and due retries. Default 100 ms (events arrive within a second). */
  pollIntervalMs?: number;
  /** How long one POST may take. Default 5 s, API destinations' limit. */
  requestTimeoutMs?: number;
  /** POSTs under way at once. Default 16. */
  maxConcurrentDeliveries?: number;
  /** The HTTP client (tests inject one). Default: the global fetch. */
  fetch?: FetchFn;
}

/**
 * EventBridge: the API (rules, targets, PutEvents, TestEventPattern on the default bus) and
 * the worker that matches outbox events (App Runner's and PutEvents') against rules and POSTs
 * them to HTTP(S) targets, retrying and then keeping dead letters.
 */
export function eventsModule(options: EventsModuleOptions = {}): ModuleFactory {
  return (deps: ModuleDeps): ControlPlaneModule => {
    const db = new EventsDb(deps.store);
    const worker = new DeliveryWorker(
      { db, config: deps.config, clock: deps.clock, patterns: new PatternCache(), logger: deps.logger },
      {
        pollIntervalMs: options.pollIntervalMs ?? 100,
        requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
        maxConcurrentDeliveries: options.maxConcurrentDeliveries ?? 16,
        retry: { ...DEFAULT_RETRY, ...options.retry },
        fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      },
    );
    return {
      name: "events",
      apis: [{ ...eventBridgeApi({ db, wake: () => worker.wake() }), authorization: eventsAuthorization(deps.config.region) }],
      start: () => worker.start(),
      stop: () => worker.stop(),
    };
  };
}

/** The module with its defaults, as server.ts's DEFAULT_MODULES runs it. */
export const createEventsModule: ModuleFactory = eventsModule();
