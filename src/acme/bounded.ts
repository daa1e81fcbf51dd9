import { AppRunnerError } from "../errors/app-runner-error.js";

export const issuanceFailed = (message: string, cause?: unknown): AppRunnerError => new AppRunnerError("CertificateIssuanceFailed", message, { cause });

export const detail = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * `work`, or a CertificateIssuanceFailed as soon as `signal` aborts: acme-client's calls and the
 * solvers take no signal, so none may hold an order past its bound. The abandoned call's own
 * settlement is still handled (never an unhandled rejection).
 */
export function bounded<T>(signal: AbortSignal, what: string, work: Promise<T>): Promise<T> {
  const stopped = (): AppRunnerError => issuanceFailed(`${what} was stopped: ${detail(signal.reason)}`, signal.reason);
  if (signal.aborted) {
    work.catch(() => undefined); // Abandoned: its outcome no longer matters, and must not crash the process.
    return Promise.reject(stopped());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(stopped());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
