/**
 * When a server may leave a backend (`del server`, HAProxy 2.6).
 *
 * `del server` refuses a server with requests in flight (scur), queued (qcur) or idle
 * connections, but not one that a stream still points at: a request whose connection to a dead
 * instance was refused waits up to 1 s to retry, counted nowhere, with the server as its target.
 * Deleting the server then frees memory that stream writes to when it retries (HAProxy fixed this
 * only in 3.x, "Properly check for streams before deletion"): glibc aborted the worker with
 * "malloc(): unaligned tcache chunk detected", the master exited, and every service went offline.
 * `show sess` names each stream's target, so a server leaves only when no stream names it.
 */

/** Streams of `backend` per server they target, from the runtime API's `show sess`. */
export function streamsByServer(showSess: string, backend: string): Map<string, number> {
  const out = new Map<string, number>();
  const marker = ` be=${backend} srv=`;
  for (const line of showSess.split("\n")) {
    const at = line.indexOf(marker);
    if (at < 0) continue;
    const rest = line.slice(at + marker.length);
    const end = rest.indexOf(" ");
    const server = end < 0 ? rest : rest.slice(0, end);
    if (server === "" || server === "<none>") continue;
    out.set(server, (out.get(server) ?? 0) + 1);
  }
  return out;
}

/** What references one leaving server right now. */
export interface ServerReferences {
  /** Requests in flight (scur) and queued (qcur) in `show stat`. */
  busy: number;
  /** Streams whose target is the server (`show sess`), those waiting to retry included. */
  streams: number;
}

export interface RemovalState {
  servers: readonly ServerReferences[];
  /** Workers of earlier reloads still finishing requests (they may use the instances). */
  oldWorkers: number;
  elapsedMs: number;
  /** How long requests may take to finish (the drain timeout). */
  timeoutMs: number;
  /** `shutdown sessions server` was already sent after the timeout. */
  sessionsClosed: boolean;
}

/** After the drain timeout and closing the sessions, how long streams get to let go before giving up. */
export const RELEASE_GRACE_MS = 10_000;

/**
 * Pure: the next step of removing servers.
 * - delete: nothing references them (and old workers are done, or the timeout passed: an old
 *   worker has its own copy of the servers, so deleting them here is safe).
 * - close-sessions: the timeout passed with requests still on them.
 * - keep: they are still referenced long after: they stay in maintenance (they take no request)
 *   and leave with the next reload, which renders only live servers.
 * - wait: look again shortly.
 */
export function removalStep(s: RemovalState): "delete" | "close-sessions" | "keep" | "wait" {
  const referenced = s.servers.some((r) => r.busy + r.streams > 0);
  if (!referenced && (s.oldWorkers === 0 || s.elapsedMs >= s.timeoutMs)) return "delete";
  if (s.elapsedMs < s.timeoutMs) return "wait";
  if (!s.sessionsClosed) return "close-sessions";
  return s.elapsedMs < s.timeoutMs + RELEASE_GRACE_MS ? "wait" : "keep";
}
