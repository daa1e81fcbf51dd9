import { setTimeout as sleep } from "node:timers/promises";
import type { OperationRow, OperationType } from "../store/operations.js";
import { operationEvent } from "../domain/service-events.js";
import type { ServiceStatus } from "../domain/service-record.js";
import { OperationContext, type EngineDeps } from "./operation-context.js";
import { firstPhaseOf, RECONCILERS } from "./reconcilers/index.js";
import { CANCELLED_BY_DELETE, reasonOf } from "./reconcilers/types.js";
import { PhaseWatch } from "./phase-watch.js";
import { STEP_BOUNDS_MS, type BoundedStep } from "./step-bounds.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { PeriodicTask } from "../util/periodic-task.js";

export interface EngineOptions {
  /** Wait before each phase. Zero in production; tests use it to stop the process mid-operation. */
  stepDelayMs?: number;
  /** How often the work list is read even without a notify (a safety net, not the main path). */
  pollMs?: number;
  /**
   * How long each phase and deployment step may take (STEP_BOUNDS_MS by default): one that
   * takes longer fails its operation with the reason, so nothing stays IN_PROGRESS forever.
   */
  bounds?: Partial<Record<BoundedStep, number>>;
  /** How often (real time) a running phase is checked against its bound; the clock decides. */
  boundCheckMs?: number;
}

const DEFAULT_BOUND_CHECK_MS = 1000;

interface Running {
  opId: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs operations: one at a time per service (FIFO), services in parallel. All progress is in
 * the store, so after a crash `start()` picks every open operation up at the phase it reached.
 * A DeleteService aborts whatever the service was doing.
 */
export class Engine {
  private readonly running = new Map<string, Running>();
  /** Operations whose runner crashed and could not even be marked FAILED: not retried until restart. */
  private readonly quarantined = new Set<string>();
  private stopping = false;
  private scheduled = false;
  private poll: PeriodicTask | undefined;

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: EngineOptions = {},
  ) {}

  start(): void {
    this.stopping = false;
    if (!this.poll) {
      this.poll = new PeriodicTask({ name: "engine work list poll", everyMs: this.options.pollMs ?? 1000, run: () => this.notify(), logger: this.deps.logger });
      this.poll.start();
    }
    this.notify();
  }

  /** Where an operation of `type` begins: the API and automatic deployment record it there. */
  firstPhaseOf(type: OperationType): string {
    return firstPhaseOf(type);
  }

  /** Something changed in the store: look at the work list soon (coalesced). */
  notify(): void {
    if (this.scheduled || this.stopping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tick();
    });
  }

  /**
   * Stops taking work and waits (boundedly) for running phases to reach a boundary. A phase
   * still running then is simply repeated after restart: phases are idempotent.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    const poll = this.poll;
    this.poll = undefined;
    await poll?.stop();
    const timer = sleep(timeoutMs, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.running.values()].map((r) => r.done)), timer]);
  }

  /** Resolves once no operation is open or running (for tests and graceful tools). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.running.size > 0 || this.deps.store.operations.listOpen().length > 0) {
      if (Date.now() > until) throw new Error("engine did not become idle");
      await sleep(20);
    }
  }

  private tick(): void {
    if (this.stopping) return;
    const byService = new Map<string, OperationRow[]>();
    for (const op of this.deps.store.operations.listOpen()) {
      const list = byService.get(op.serviceArn) ?? [];
      list.push(op);
      byService.set(op.serviceArn, list);
    }
    for (const [serviceArn, ops] of byService) {
      const head = ops[0];
      if (!head || this.quarantined.has(head.id)) continue;
      const deleteQueued = ops.some((o) => o.type === "DELETE_SERVICE" && o.id !== head.id);
      const running = this.running.get(serviceArn);
      if (running) {
        if (deleteQueued && running.opId === head.id) running.abort.abort(new Error(CANCELLED_BY_DELETE));
        continue;
      }
      this.launch(serviceArn, head, deleteQueued);
    }
  }

  private launch(serviceArn: string, op: OperationRow, cancelled: boolean): void {
    const abort = new AbortController();
    if (cancelled) abort.abort(new Error(CANCELLED_BY_DELETE));
    const done = this.run(op, abort.signal)
      .catch((err: unknown) => this.abandon(op, err))
      .finally(() => {
        this.running.delete(serviceArn);
        this.notify();
      });
    this.running.set(serviceArn, { opId: op.id, abort, done });
  }

  /**
   * The runner itself failed (its service row is gone, the store refused a write): end the
   * operation FAILED without touching anything else, so it is not retried in a tight loop.
   */
  private abandon(op: OperationRow, err: unknown): void {
    this.deps.logger("operation runner stopped on an unexpected error; ending it FAILED", {
      operationId: op.id,
      error: reasonOf(err),
    });
    try {
      const current = this.deps.store.operations.get(op.id) ?? op;
      const now = this.deps.clock.now();
      this.deps.store.operations.update({
        ...current,
        status: current.status === "ROLLBACK_IN_PROGRESS" ? "ROLLBACK_FAILED" : "FAILED",
        endedAt: now,
        updatedAt: now,
        state: { ...current.state, phase: "done", error: reasonOf(err) },
      });
    } catch (again) {
      this.quarantined.add(op.id);
      this.deps.logger("could not record the failed operation; it waits for a restart", {
        operationId: op.id,
        error: reasonOf(again),
      });
    }
  }

  /**
   * Runs one phase in a context of its own, failing it when its current step outlives its
   * bound: the phase's signal aborts (so the driver stops pulling, building or waiting) and
   * whatever it finishes later cannot move the operation any more. `outer` takes the phase's
   * progress either way.
   */
  private async runPhase(phase: (ctx: OperationContext) => Promise<void>, outer: OperationContext): Promise<void> {
    const watch = new PhaseWatch(this.deps.clock, outer.op.state.phase, { ...STEP_BOUNDS_MS, ...this.options.bounds });
    const stop = new AbortController();
    const ctx = new OperationContext(this.deps, outer.op, AbortSignal.any([outer.signal, stop.signal]), (step) => watch.enter(step));
    const bound = watch.expire(this.options.boundCheckMs ?? DEFAULT_BOUND_CHECK_MS, this.deps.logger);
    try {
      await Promise.race([phase(ctx), bound.expired]);
    } catch (err) {
      if (err instanceof AppRunnerError && err.code === "StepTimedOut") {
        stop.abort(err);
        outer.log(`[AppRunner] ${err.message}`);
      }
      throw err;
    } finally {
      bound.stop();
      outer.op = ctx.op;
      ctx.abandon();
    }
  }

  private async run(op: OperationRow, signal: AbortSignal): Promise<void> {
    const reconciler = RECONCILERS[op.type];
    const ctx = new OperationContext(this.deps, op, signal);
    let failing = ctx.op.state.error !== undefined;
    while (ctx.op.state.phase !== "done") {
      if (this.stopping) return;
      if (this.options.stepDelayMs) await sleep(this.options.stepDelayMs);
      if (this.stopping) return;
      if (signal.aborted && !failing) {
        failing = true;
        reconciler.fail(ctx, CANCELLED_BY_DELETE);
        continue;
      }
      const phase = reconciler.phases[ctx.op.state.phase];
      if (!phase) {
        failing = true;
        this.deps.logger("operation has an unknown phase; failing it", { operationId: op.id, phase: ctx.op.state.phase });
        reconciler.fail(ctx, `Unknown phase ${ctx.op.state.phase}`);
        continue;
      }
      try {
        await this.runPhase(phase, ctx);
      } catch (err) {
        if (failing) {
          // A failure path must always end the operation; if it cannot, record that and stop.
          this.deps.logger("failure path of an operation failed", { operationId: op.id, error: reasonOf(err) });
          ctx.finish({
            opStatus: ctx.op.status === "ROLLBACK_IN_PROGRESS" ? "ROLLBACK_FAILED" : "FAILED",
            serviceStatus: statusAfterFailure(ctx.op),
            event: operationEvent(op.type, "Failed"),
            error: reasonOf(err),
          });
          return;
        }
        failing = true;
        const reason = signal.aborted ? CANCELLED_BY_DELETE : reasonOf(err);
        reconciler.fail(ctx, reason);
      }
    }
  }
}

/** Where a service is left when even an operation's failure path could not finish. */
function statusAfterFailure(op: OperationRow): ServiceStatus {
  switch (op.type) {
    case "CREATE_SERVICE":
      return "CREATE_FAILED";
    case "DELETE_SERVICE":
      return "DELETE_FAILED";
    case "RESUME_SERVICE":
      return "PAUSED";
    default:
      return op.state.previousDeploymentId ? "RUNNING" : "CREATE_FAILED";
  }
}
