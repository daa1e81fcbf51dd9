import { AppRunnerError } from "../errors/app-runner-error.js";
import type { DeploymentStep } from "../runtime/driver.js";
import type { ArtifactStep } from "./artifact/types.js";
import type { Clock } from "../util/clock.js";
import { PeriodicTask, type TaskLogger, type TaskTimers } from "../util/periodic-task.js";
import { overdueReason, phaseStep, STEP_BOUNDS_MS, type BoundedStep } from "./step-bounds.js";

/** The step a running phase is in, since when (by the injected clock), against its bound. */
export class PhaseWatch {
  private step: BoundedStep;
  private since: number;

  constructor(
    private readonly clock: Clock,
    phase: string,
    private readonly bounds: Readonly<Record<BoundedStep, number>> = STEP_BOUNDS_MS,
  ) {
    this.step = phaseStep(phase);
    this.since = clock.now();
  }

  /** The artifact resolver or the driver moved on to `step`: its own bound starts now. */
  enter(step: ArtifactStep | DeploymentStep): void {
    this.step = step;
    this.since = this.clock.now();
  }

  overdue(): string | undefined {
    return overdueReason(this.step, this.since, this.clock.now(), this.bounds);
  }

  /**
   * Rejects with StepTimedOut once the current step is overdue, checked every `everyMs` of real
   * time (the decision itself is the clock's). Stop it with the returned function.
   */
  expire(everyMs: number, logger: TaskLogger, timers?: TaskTimers): { expired: Promise<never>; stop: () => void } {
    let task: PeriodicTask | undefined;
    const expired = new Promise<never>((_, reject) => {
      task = new PeriodicTask({
        name: "deployment step bound check",
        everyMs,
        run: () => {
          const reason = this.overdue();
          if (reason === undefined) return;
          // Never rejects; this check is the one running, so it only ends the schedule.
          void task?.stop();
          reject(new AppRunnerError("StepTimedOut", reason));
        },
        logger,
        ...(timers ? { timers } : {}),
      });
      task.start();
    });
    expired.catch(() => undefined);
    return { expired, stop: () => void task?.stop() };
  }
}
