import type { DeliveryRequest } from "../store/deliveries.js";
import { resultOfStatus, type AttemptResult } from "./retry-policy.js";

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

/**
 * One POST to a target, bounded by `timeoutMs` (API destinations allow 5 s) and by `stop`
 * (shutdown). Network errors and timeouts are retryable failures; nothing here throws.
 */
export async function postEvent(
  request: DeliveryRequest,
  body: string,
  opts: { fetch: FetchFn; timeoutMs: number; stop: AbortSignal },
): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([timeout, opts.stop]);
  try {
    const res = await opts.fetch(request.url, { method: "POST", headers: request.headers, body, redirect: "manual", signal });
    // Read (and drop) the answer so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    return resultOfStatus(res.status);
  } catch (err) {
    if (timeout.aborted) return { ok: false, retryable: true, error: `no answer within ${opts.timeoutMs} ms` };
    if (opts.stop.aborted) return { ok: false, retryable: true, error: "stopped" };
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return { ok: false, retryable: true, error: `${err instanceof Error ? err.message : String(err)}${cause}` };
  }
}
