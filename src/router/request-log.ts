import dgram from "node:dgram";
import type { ServiceRef } from "../telemetry/metrics/catalog.js";
import type { MetricsRecorder } from "../telemetry/metrics/recorder.js";
import type { Clock } from "../util/clock.js";

/**
 * Per-request metrics from HAProxy's logs. HAProxy sends one syslog datagram per request to a
 * UDP port on loopback:
 *
 *   log 127.0.0.1:<port> len 8192 local0 info
 *   log-format "or1 %b %s %ST %Ta %Tw %ac/%bc/%sc"
 *
 * which HAProxy 2.6 frames as RFC 3164 with no host name and a trailing newline:
 *
 *   <134>Dec  1 19:33:45 haproxy[7124]: or1 s_0123…cdef 9f00…e1e1 200 13 0 1/0/0\n
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
/** The `log` line for the global section: `len` well above the longest line. */
export const requestLogTarget = (port: number): string => `log 127.0.0.1:${port} len 8192 local0 info`;

const NO_SERVER = "<NOSRV>";
/** Where the fields start in an RFC 3164 line (`…haproxy[pid]: or1 …`). */
const SYSLOG_MARKER = ": or1 ";
/** A line with no syslog header (`format raw`, or a test). */
const RAW_MARKER = "or1 ";

/** One request as HAProxy logged it. */
export interface ParsedRequest {
  /** %b: `s_<serviceId>`, `be_unknown`, or the frontend's name when no backend was reached. */
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

/** What a scan found: indices into the line and the numbers. One instance is reused for every datagram. */
interface Scan {
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

const newScan = (): Scan => ({
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
function scan(s: string, out: Scan): boolean {
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

/** True when the scanned backend is `s_<something>`. */
function isServiceBackend(s: string, sc: Scan): boolean {
  return sc.backendEnd - sc.backendStart > SERVICE_BACKEND_PREFIX.length && s.startsWith(SERVICE_BACKEND_PREFIX, sc.backendStart);
}

/**
 * One request log line (a whole syslog datagram, or the bare `or1 …` fields); undefined for
 * anything else (HAProxy's own notices, another format, a truncated line). Pure.
 */
export function parseRequestLog(datagram: string): ParsedRequest | undefined {
  const sc = newScan();
  if (!scan(datagram, sc)) return undefined;
  const backend = datagram.slice(sc.backendStart, sc.backendEnd);
  const server = datagram.slice(sc.serverStart, sc.serverEnd);
  return {
    backend,
    serviceId: isServiceBackend(datagram, sc) ? backend.slice(SERVICE_BACKEND_PREFIX.length) : undefined,
    instanceId: server === NO_SERVER ? undefined : server,
    status: sc.status,
    totalMs: sc.totalMs,
    queueMs: sc.queueMs,
    activeConnections: sc.ac,
    backendConnections: sc.bc,
    serverConnections: sc.sc,
  };
}

export type Logger = (message: string, fields?: Record<string, unknown>) => void;

export interface RequestLogReceiverOptions {
  recorder: MetricsRecorder;
  /** The service behind `s_<serviceId>`; undefined once it is gone (its requests are then only counted). */
  services: (serviceId: string) => ServiceRef | undefined;
  clock: Clock;
  logger: Logger;
  /** SO_RCVBUF asked for, so bursts outlast a busy event loop (the kernel caps it at net.core.rmem_max). Default 4 MiB. */
  receiveBufferBytes?: number;
  /** How often seconds that have passed are flushed. Default 1000 ms. */
  flushIntervalMs?: number;
}

/** Counters since start(), for `openrunner` tools and tests. */
export interface RequestLogStats {
  /** Datagrams received. */
  datagrams: number;
  /** Requests of service backends (recorded, or pending in the current second). */
  serviceRequests: number;
  /** Requests of other backends: unknown hosts (`be_unknown`), requests rejected before routing. */
  unrouted: number;
  /** Datagrams that were not request log lines. */
  malformed: number;
  /** Requests of `s_<id>` backends whose service `services()` did not know (deleted meanwhile). */
  unknownService: number;
  /** recordRequests calls that threw. */
  recordFailures: number;
}

/** One service's current second. */
interface Bucket {
  second: number;
  requests: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
  latenciesMs: number[];
}

const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;

/**
 * Receives HAProxy's request log on 127.0.0.1 and turns it into RequestReports: one
 * `recordRequests` per service per second, made once the second has passed (the second a
 * request belongs to is the one in which its log line arrived: the request had just ended).
 */
export class RequestLogReceiver {
  private socket: dgram.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly buckets = new Map<string, Bucket>();
  private readonly scratch = newScan();
  private readonly counters: RequestLogStats = {
    datagrams: 0,
    serviceRequests: 0,
    unrouted: 0,
    malformed: 0,
    unknownService: 0,
    recordFailures: 0,
  };

  constructor(private readonly opts: RequestLogReceiverOptions) {}

  /** Binds a UDP socket on 127.0.0.1 (a free port); HAProxy's `log` line points at the port returned. */
  async start(): Promise<{ port: number }> {
    if (this.socket) throw new Error("RequestLogReceiver is already started");
    const socket = dgram.createSocket({ type: "udp4" });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      socket.once("error", onError);
      socket.bind(0, "127.0.0.1", () => {
        socket.off("error", onError);
        resolve();
      });
    });
    socket.on("error", (err) => this.opts.logger("request log socket error", { error: String(err) }));
    socket.on("message", (msg) => this.onDatagram(msg));
    const wanted = this.opts.receiveBufferBytes ?? 4 * 1024 * 1024;
    try {
      socket.setRecvBufferSize(wanted);
    } catch (err) {
      this.opts.logger("request log: could not enlarge the receive buffer; bursts may drop lines", {
        wanted,
        error: String(err),
      });
    }
    this.socket = socket;
    this.timer = setInterval(() => this.flush(), this.opts.flushIntervalMs ?? 1000);
    this.timer.unref();
    return { port: socket.address().port };
  }

  /** Closes the socket and records what is pending, the current second included. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    for (const [serviceId, b] of this.buckets) this.flushBucket(serviceId, b);
    this.buckets.clear();
  }

  /** Records every service-second that has passed (the timer calls it; tests with a manual clock too). */
  flush(): void {
    const second = Math.floor(this.opts.clock.now() / 1000);
    for (const [serviceId, b] of this.buckets) {
      if (b.second === second) continue;
      // A bucket that stayed empty for a whole flush interval belongs to an idle service: let it go.
      if (b.requests === 0) this.buckets.delete(serviceId);
      else this.flushBucket(serviceId, b);
    }
  }

  stats(): RequestLogStats {
    return { ...this.counters };
  }

  /** One datagram; the hot path (thousands a second): no allocation beyond the line and the service id. */
  private onDatagram(msg: Buffer): void {
    const c = this.counters;
    c.datagrams++;
    const line = msg.toString("latin1");
    const sc = this.scratch;
    if (!scan(line, sc)) {
      c.malformed++;
      if (isPowerOfTwo(c.malformed)) {
        this.opts.logger("request log: ignoring lines that are not request logs", {
          count: c.malformed,
          line: line.slice(0, 200),
        });
      }
      return;
    }
    if (!isServiceBackend(line, sc)) {
      c.unrouted++;
      return;
    }
    c.serviceRequests++;
    const serviceId = line.slice(sc.backendStart + SERVICE_BACKEND_PREFIX.length, sc.backendEnd);
    const second = Math.floor(this.opts.clock.now() / 1000);
    let b = this.buckets.get(serviceId);
    if (b === undefined) {
      b = { second, requests: 0, status2xx: 0, status4xx: 0, status5xx: 0, latenciesMs: [] };
      this.buckets.set(serviceId, b);
    } else if (b.second !== second) {
      this.flushBucket(serviceId, b);
      b.second = second;
    }
    b.requests++;
    const status = sc.status;
    if (status >= 200 && status < 300) b.status2xx++;
    else if (status >= 400 && status < 500) b.status4xx++;
    else if (status >= 500 && status < 600) b.status5xx++;
    if (sc.totalMs >= 0) b.latenciesMs.push(sc.totalMs);
  }

  /** Hands one bucket to the recorder and empties it (its second stays until the next request sets it). */
  private flushBucket(serviceId: string, b: Bucket): void {
    if (b.requests === 0) return;
    const service = this.opts.services(serviceId);
    if (service === undefined) {
      const before = this.counters.unknownService;
      this.counters.unknownService += b.requests;
      if (Math.floor(Math.log2(before + 1)) !== Math.floor(Math.log2(this.counters.unknownService + 1))) {
        this.opts.logger("request log: requests of an unknown service were not recorded", {
          serviceId,
          second: b.second,
          requests: b.requests,
          totalUnknown: this.counters.unknownService,
        });
      }
    } else {
      try {
        this.opts.recorder.recordRequests(service, b.second, {
          requests: b.requests,
          status2xx: b.status2xx,
          status4xx: b.status4xx,
          status5xx: b.status5xx,
          latenciesMs: b.latenciesMs,
        });
      } catch (err) {
        this.counters.recordFailures++;
        this.opts.logger("request log: recording a second of requests failed", {
          serviceId,
          second: b.second,
          requests: b.requests,
          error: String(err),
        });
      }
    }
    b.requests = 0;
    b.status2xx = 0;
    b.status4xx = 0;
    b.status5xx = 0;
    // The recorder may keep the array; the next second gets its own.
    b.latenciesMs = [];
  }
}
