/**
 * Reading buildah's output as it streams: which Dockerfile step runs, how many steps came from
 * the layer cache, and, when the build fails, the step and exit code that failed it, in words a
 * user can act on (`Step RUN npm test failed with exit code 1`). Pure: lines in, state out.
 */

/** `STEP 3/5: RUN npm ci`, or with a stage prefix `[1/2] STEP 3/5: RUN npm ci`. */
const STEP = /^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: (.+)$/;
/** buildah 1.28: `Error: building at STEP "RUN npm test": while running runtime: exit status 1`. */
const FAILED_AT = /^(?:Error: |error )?building at STEP "(.+)$/;
const EXIT_STATUS = /exit status (\d+)\s*$/;
const CACHE_HIT = /^--> Using cache [0-9a-f]+/;
const ERROR_LINE = /^(?:Error|error): /;

export interface BuildFailure {
  /** The Dockerfile instruction that failed, as buildah printed it (`RUN npm test`); absent when none ran yet. */
  step?: string;
  /** The failing command's exit code, for a RUN step that exited non-zero. */
  exitCode?: number;
  /** One line for the log and the deployment's error. */
  message: string;
}

/** The step a line starts, or undefined. */
export function stepOf(line: string): string | undefined {
  return STEP.exec(line)?.[1]?.trim();
}

/**
 * A failure line's step and exit code (the code only when a RUN step exited non-zero). buildah
 * quotes the step without escaping, so the step that was running, when known, is matched first.
 */
export function parseFailureLine(line: string, runningStep?: string): { step: string; exitCode?: number; why: string } | undefined {
  const text = line.trim();
  const m = FAILED_AT.exec(text);
  if (!m) return undefined;
  const known = runningStep !== undefined && (m[1] ?? "").startsWith(`${runningStep}": `) ? runningStep : undefined;
  const lazy = /^(.+?)": (.*)$/.exec(m[1] ?? "");
  const step = known ?? lazy?.[1];
  if (!step) return undefined;
  const why = (m[1] ?? "").slice(step.length + 3).trim();
  const code = EXIT_STATUS.exec(why)?.[1];
  return { step, why, ...(code !== undefined && step.startsWith("RUN ") ? { exitCode: Number(code) } : {}) };
}

export class BuildahOutput {
  /** The step running now (the last one started). */
  step: string | undefined;
  /** Steps answered from the layer cache. */
  cacheHits = 0;
  private failureLine: ReturnType<typeof parseFailureLine>;
  private lastError: string | undefined;

  feed(line: string): void {
    const step = stepOf(line);
    if (step !== undefined) this.step = step;
    if (CACHE_HIT.test(line)) this.cacheHits++;
    const failed = parseFailureLine(line, this.step);
    if (failed) this.failureLine = failed;
    else if (ERROR_LINE.test(line.trim())) this.lastError = line.trim().replace(ERROR_LINE, "");
  }

  /** Why buildah exited with `buildahExit` (non-zero): the failing step and its exit code when known. */
  failure(buildahExit: number | string): BuildFailure {
    const f = this.failureLine;
    if (f?.exitCode !== undefined) {
      return { step: f.step, exitCode: f.exitCode, message: `Step ${f.step} failed with exit code ${f.exitCode}` };
    }
    if (!f && this.step === undefined && buildahExit === 127) {
      return { message: "The Dockerfile build failed: buildah could not be started (is Debian's buildah package installed?)" };
    }
    const step = f?.step ?? this.step;
    const why = f?.why || this.lastError || `buildah exited with ${buildahExit}`;
    return { ...(step ? { step } : {}), message: step ? `Step ${step} failed: ${why}` : `The Dockerfile build failed: ${why}` };
  }
}
