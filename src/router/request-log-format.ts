/**
 * The per-request log line HAProxy writes for OpenRunner's metrics, and its parser.
 *
 *   log-format "or1 %b %s %ST %Ta %Tw %ac/%bc/%sc"
 *
 * The router sends it through a ring as bare lines (`format raw`), e.g.
 *
 *   or1 s_0123…cdef 9f00…e1e1 200 13 0 1/0/0
 *
 * and the parser also accepts it behind an RFC 3164 header (`<134>Dec  1 19:33:45 haproxy[7124]: or1 …`),
 * which is what a `log` line aimed at a syslog server produces.
 *
 * Observed values: a backend's own response (200/404/500/504) names the server; a request that
 * waited for a full queue until `timeout queue` is `<NOSRV> 503 <Ta> <Tw>` (Tw ≈ the queue
 * timeout); a backend without servers is `<NOSRV> 503 0 -1`; the unknown-host backend is
 * `be_unknown <NOSRV> 404 0 -1`; a request HAProxy rejected before choosing a backend (bad
 * syntax) carries the frontend's name as %b, e.g. `fe <NOSRV> 400 0 -1`.
 */

/** The log-format the router must configure (the leading `or1` versions the fields). */
export const REQUEST_LOG_FORMAT = "or1 %b %s %ST %Ta %Tw %ac/%bc/%sc";
/** A service's backend is named `s_<serviceId>`; every other backend is not a service's. */
export const SERVICE_BACKEND_PREFIX = "s_";
const NO_SERVER = "<NOSRV>";
/** Where the fields start in an RFC 3164 line (`…haproxy[pid]: or1 …`). */
const SYSLOG_MARKER = ": or1 ";
/** A line with no syslog header (`format raw`, or a test). */
const RAW_MARKER = "or1 ";

/** One request as HAProxy logged it. */
export interface ParsedRequest {
  /** %b: `s_<serviceId>` (`c_<serviceId>`: its new version in a gradual rollout), `be_unknown`, or the frontend's name when no backend was reached. */
  backend: string;
  /** The service whose backend it is; undefined for every other backend. */
  serviceId: string | undefined;
  /** %s: the instance that answered; undefined for `<NOSRV>` (queue timeout, no instance, HAProxy's own answer). */
  instanceId: string | undefined;
  /** %ST: the HTTP status sent to the client, -1 when none was. */
  status: number;
  /** %Ta: total active time of the request in ms (RequestLatency). */
  totalMs: number;
  /** %Tw: time spent waiting in queues in ms, -1 when the request never reached a queue. */
  queueMs: number;
  /** %ac: connections on the whole process when logged. */
  activeConnections: number;
  /** %bc: connections on the backend when logged. */
  backendConnections: number;
  /** %sc: connections on the server when logged. */
  serverConnections: number;
}

/** What a scan found: indices into the line and the numbers. One instance is reused for every line. */
export interface Scan {
  backendStart: number;
  backendEnd: number;
  serverStart: number;
  serverEnd: number;
  status: number;
  totalMs: number;
  queueMs: number;
  ac: number;
  bc: number;
  sc: number;
}

export const newScan = (): Scan => ({
  backendStart: 0,
  backendEnd: 0,
  serverStart: 0,
  serverEnd: 0,
  status: 0,
  totalMs: 0,
  queueMs: 0,
  ac: 0,
  bc: 0,
  sc: 0,
});

const SPACE = 32;
const SLASH = 47;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const NOT_A_NUMBER = Number.NaN;

/** Where readInt stopped (after the terminator). Module state keeps the hot path free of allocations. */
let cursor = 0;

/**
 * An optionally negative decimal integer at `i` that ends with the `end` character (or, when
 * `end` is -1, with the end of the line / trailing white space). NaN when there is none.
 */
function readInt(s: string, i: number, end: number): number {
  const n = s.length;
  let negative = false;
  if (i < n && s.charCodeAt(i) === MINUS) {
    negative = true;
    i++;
  }
  const first = i;
  let v = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    v = v * 10 + (c - ZERO);
    i++;
  }
  if (i === first || i - first > 12) return NOT_A_NUMBER;
  if (end === -1) {
    // Only white space (the trailing "\n") may follow the last field.
    for (let j = i; j < n; j++) if (s.charCodeAt(j) > SPACE) return NOT_A_NUMBER;
    cursor = n;
  } else {
    if (i >= n || s.charCodeAt(i) !== end) return NOT_A_NUMBER;
    cursor = i + 1;
  }
  return negative ? -v : v;
}

/** Fills `out` from one log line; false when the line is not one of ours or is malformed. */
export function scan(s: string, out: Scan): boolean {
  let i: number;
  if (s.startsWith(RAW_MARKER)) i = RAW_MARKER.length;
  else {
    const at = s.indexOf(SYSLOG_MARKER);
    if (at < 0) return false;
    i = at + SYSLOG_MARKER.length;
  }
  out.backendStart = i;
  i = s.indexOf(" ", i);
  if (i <= out.backendStart) return false;
  out.backendEnd = i;
  out.serverStart = ++i;
  i = s.indexOf(" ", i);
  if (i <= out.serverStart) return false;
  out.serverEnd = i;
  out.status = readInt(s, i + 1, SPACE);
  if (Number.isNaN(out.status)) return false;
  out.totalMs = readInt(s, cursor, SPACE);
  if (Number.isNaN(out.totalMs)) return false;
  out.queueMs = readInt(s, cursor, SPACE);
  if (Number.isNaN(out.queueMs)) return false;
  out.ac = readInt(s, cursor, SLASH);
  if (Number.isNaN(out.ac)) return false;
  out.bc = readInt(s, cursor, SLASH);
  if (Number.isNaN(out.bc)) return false;
  out.sc = readInt(s, cursor, -1);
  return !Number.isNaN(out.sc);
}

/** A service's new version during a gradual rollout: `c_<serviceId>` (traffic-split.ts); its requests are the service's too. */
export const CANARY_BACKEND_PREFIX = "c_";

/** True when the scanned backend is `s_<something>` or `c_<something>` (both prefixes are 2 characters). */
export function isServiceBackend(s: string, sc: Scan): boolean {
  return (
    sc.backendEnd - sc.backendStart > SERVICE_BACKEND_PREFIX.length &&
    (s.startsWith(SERVICE_BACKEND_PREFIX, sc.backendStart) || s.startsWith(CANARY_BACKEND_PREFIX, sc.backendStart))
  );
}

/** True when the scanned backend is a new version's (`c_<serviceId>`). */
export const isCanaryBackend = (s: string, sc: Scan): boolean => s.startsWith(CANARY_BACKEND_PREFIX, sc.backendStart);

/**
 * One request log line (bare `or1 …` fields, or behind a syslog header); undefined for
 * anything else (HAProxy's own notices, another format, a truncated line). Pure.
 */
export function parseRequestLog(line: string): ParsedRequest | undefined {
  const sc = newScan();
  if (!scan(line, sc)) return undefined;
  const backend = line.slice(sc.backendStart, sc.backendEnd);
  const server = line.slice(sc.serverStart, sc.serverEnd);
  return {
    backend,
    serviceId: isServiceBackend(line, sc) ? backend.slice(SERVICE_BACKEND_PREFIX.length) : undefined,
    instanceId: server === NO_SERVER ? undefined : server,
    status: sc.status,
    totalMs: sc.totalMs,
    queueMs: sc.queueMs,
    activeConnections: sc.ac,
    backendConnections: sc.bc,
    serverConnections: sc.sc,
  };
}
