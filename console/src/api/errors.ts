/**
 * An error answered by an API the console calls without an SDK client (AWS JSON or awsQuery):
 * `name` is the AWS error type or code (InvalidRequestException, RepositoryNotFoundException,
 * AccessDenied…), `message` the API's words, `status` the HTTP status.
 */
export class AwsApiError extends Error {
  constructor(
    type: string,
    message: string,
    readonly status: number,
  ) {
    super(message || type);
    this.name = type;
  }
}

/** The API's own words for a failed call (`Message` of InvalidRequestException and friends). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * IAM refused the call: AccessDeniedException from the JSON APIs (App Runner, Logs, ECR…),
 * AccessDenied from the awsQuery ones (IAM, STS, CloudWatch). The SDKs and AwsApiError both
 * name an error by its AWS type. Only the server decides; the console never guesses rights.
 */
export function isAccessDenied(err: unknown): boolean {
  return err instanceof Error && (err.name === "AccessDeniedException" || err.name === "AccessDenied");
}

/** A failed call as a page shows it: the API's words and, when IAM refused it, that it did. */
export interface ApiProblem {
  message: string;
  /** Set when the call was denied; `action` is the one AWS's message names (apprunner:CreateService). */
  denied?: { action: string | undefined };
}

/** AWS's denial message names the action: "User: <arn> is not authorized to perform: <action> on resource: …". */
const DENIED_ACTION = /\bis not authorized to perform: ([\w-]+:[\w*-]+)/;

export function problemOf(err: unknown): ApiProblem {
  const message = errorMessage(err);
  return isAccessDenied(err) ? { message, denied: { action: DENIED_ACTION.exec(message)?.[1] } } : { message };
}

export interface FieldSpec {
  /** Member paths (and their children) as validation messages name them: `serviceName`. */
  paths: string[];
  /** For semantic errors that name no path ("Service with the provided name already exists"). */
  words?: RegExp;
}

/**
 * Splits one API error over a form's fields, so each message shows beside the field it is
 * about. Validation messages (Coral style: "1 validation error detected: Value 'x' at
 * 'serviceName' failed to satisfy constraint: …; Value …") go item by item to the field with
 * the longest matching path; other messages to the first field whose words match. What
 * matches no field goes to `form`. A lone item keeps the whole message, exactly as the API said it.
 * A denial is never a field's: its message names the action ("…CreateConnection…"), not a mistake.
 */
export function fieldErrors(err: unknown, fields: Record<string, FieldSpec>): Record<string, string> {
  const message = errorMessage(err);
  if (isAccessDenied(err)) return { form: message };
  const head = /^\d+ validation errors? detected: /.exec(message);
  const items = head ? message.slice(head[0].length).split(/; (?=Value )/) : [];
  const out: Record<string, string> = {};
  if (items.length === 0) {
    const field = Object.entries(fields).find(([, spec]) => spec.words?.test(message))?.[0];
    out[field ?? "form"] = message;
    return out;
  }
  for (const item of items) {
    const path = / at '([^']+)'/.exec(item)?.[1] ?? "";
    let best: { field: string; length: number } | undefined;
    for (const [field, spec] of Object.entries(fields)) {
      for (const prefix of spec.paths) {
        const hit = path === prefix || path.startsWith(`${prefix}.`);
        if (hit && (!best || prefix.length > best.length)) best = { field, length: prefix.length };
      }
    }
    const key = best?.field ?? "form";
    const text = items.length === 1 ? message : item;
    out[key] = out[key] ? `${out[key]}; ${text}` : text;
  }
  return out;
}
