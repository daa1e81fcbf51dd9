import type { ControlPlaneConfig } from "../../../domain/config.js";
import type { Clock } from "../../../util/clock.js";
import { PeriodicTask, type TaskTimers } from "../../../util/periodic-task.js";
import type { PatternCache } from "../pattern/pattern.js";
import { routeOutbox } from "../router.js";
import type { Delivery } from "../store/deliveries.js";
import type { EventsDb } from "../store/events-db.js";
import { postEvent, type FetchFn } from "./http-sender.js";
import { decide, type AttemptResult, type RetrySettings } from "./retry-policy.js";

export interface WorkerSettings {
  /** How often to look for new outbox events and due retries when nothing wakes the worker. */
  pollIntervalMs: number;
  requestTimeoutMs: number;
  maxConcurrentDeliveries: number;
  retry: RetrySettings;
  fetch: FetchFn;
}

export interface WorkerDeps {
  db: EventsDb;
  config: Pick<ControlPlaneConfig, "region" | "accountId">;
  clock: Clock;
  patterns: PatternCache;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Tests: the poll's timers (Node's by default). */
  timers?: TaskTimers;
}

/**
 * Delivers EventBridge events: each pass routes new outbox rows (App Runner's events and
 * PutEvents') into deliveries and starts the due ones. Deliveries are rows, so a restart
 * loses none; one whose POST was under way when the process stopped is posted again
 * (at-least-once, as EventBridge itself delivers). The poll is short (100 ms by default) so
 * an event reaches its targets well within a second; PutEvents also wakes the worker at once.
 */
export class DeliveryWorker {
  private readonly passes: PeriodicTask;
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly deps: WorkerDeps,
    private readonly settings: WorkerSettings,
  ) {
    // Passes are synchronous; a failing one is logged and the next still comes.
    this.passes = new PeriodicTask({
      name: "EventBridge delivery pass",
      everyMs: settings.pollIntervalMs,
      firstRunMs: 0,
      run: () => this.tick(),
      logger: deps.logger,
      ...(deps.timers ? { timers: deps.timers } : {}),
    });
  }

  start(): void {
    this.passes.start();
  }

  /** Run a pass at the next turn of the event loop rather than at the next poll (a burst of calls makes one pass). */
  wake(): void {
    this.passes.runSoon();
  }

  async stop(): Promise<void> {
    await this.passes.stop();
    this.stopping.abort();
    await this.idle();
  }

  /** Resolves once no POST is under way. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** One pass, synchronous: route what is new, start what is due (tests call it directly). */
  tick(): void {
    const batch = 500;
    // A few batches per pass at most, so a large backlog does not hold the event loop.
    for (let i = 0; i < 10 && routeOutbox({ ...this.deps, retry: this.settings.retry }, batch) === batch; i++);
    const free = this.settings.maxConcurrentDeliveries - this.inFlight.size;
    if (free <= 0) return;
    const due = this.deps.db.deliveries
      .due(this.deps.clock.now(), free + this.inFlight.size)
      .filter((d) => !this.inFlight.has(d.id))
      .slice(0, free);
    for (const d of due) {
      const attempt = this.attempt(d).finally(() => this.inFlight.delete(d.id));
      this.inFlight.set(d.id, attempt);
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const result = await postEvent(d.request, d.body, {
      fetch: this.settings.fetch,
      timeoutMs: this.settings.requestTimeoutMs,
      stop: this.stopping.signal,
    });
    // Stopping: the store is about to close, and the row stays to be tried after a restart.
    if (this.stopping.signal.aborted) return;
    try {
      this.record(d, result);
    } catch (err) {
      this.deps.logger("recording an EventBridge delivery failed", { error: err instanceof Error ? err.message : String(err) });
    }
    this.wake();
  }

  private record(d: Delivery, result: AttemptResult): void {
    const { db, clock, logger } = this.deps;
    const attempts = d.attempts + 1;
    const now = clock.now();
    const decision = decide({ attempts, maxAttempts: d.maxAttempts, giveUpAt: d.giveUpAt }, result, now, this.settings.retry);
    db.store.tx(() => {
      if (decision.kind === "retry") {
        db.deliveries.retryAt(d.id, attempts, decision.at, decision.error);
        return;
      }
      db.deliveries.delete(d.id);
      if (decision.kind === "dead-letter") {
        db.deadLetters.insert({ ...d, attempts, lastError: decision.error, failedAt: now });
      }
    });
    if (decision.kind === "dead-letter") {
      logger("an EventBridge event could not be delivered and is kept as a dead letter", {
        rule: d.ruleArn,
        target: d.targetId,
        endpoint: d.request.url,
        eventId: d.eventId,
        attempts,
        error: decision.error,
      });
    }
  }
}
