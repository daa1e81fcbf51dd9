/** The API's own words for a failed call (`Message` of InvalidRequestException and friends). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
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
 */
export function fieldErrors(err: unknown, fields: Record<string, FieldSpec>): Record<string, string> {
  const message = errorMessage(err);
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
