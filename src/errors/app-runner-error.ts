import { ERROR_CODES, type ErrorCode } from "./codes.js";

/** The one error base class: a code from the table plus a message safe to show the caller. */
export class AppRunnerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppRunnerError";
    this.code = code;
  }

  get awsType(): string {
    return ERROR_CODES[this.code].type;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const invalidRequest = (message: string): AppRunnerError => new AppRunnerError("InvalidRequest", message);
export const invalidState = (message: string): AppRunnerError => new AppRunnerError("InvalidState", message);
export const notFound = (message: string): AppRunnerError => new AppRunnerError("ResourceNotFound", message);
export const quotaExceeded = (message: string): AppRunnerError =>
  new AppRunnerError("ServiceQuotaExceeded", message);

/** Anything thrown that is not ours becomes an InternalServiceErrorException; the cause is kept for the log. */
export function asAppRunnerError(err: unknown): AppRunnerError {
  if (err instanceof AppRunnerError) return err;
  return new AppRunnerError("InternalServiceError", "An internal error occurred.", { cause: err });
}
