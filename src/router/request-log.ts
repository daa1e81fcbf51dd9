import net from "node:net";
import type { ServiceRef } from "../telemetry/metrics/catalog.js";
import type { MetricsRecorder, RequestReport } from "../telemetry/metrics/recorder.js";
import type { Clock } from "../util/clock.js";
import { PeriodicTask } from "../util/periodic-task.js";
import { isCanaryBackend, isServiceBackend, newScan, scan, SERVICE_BACKEND_PREFIX } from "./request-log-format.js";
import { CounterDeltas, type CounterSnapshot } from "./request-counts.js";

/**
 * Per-request metrics from HAProxy's request log. HAProxy writes one line per request into a
 * ring buffer in its own memory (`log ring@requests`), and the ring's forwarder streams the
 * lines over one TCP connection to this receiver, newline-terminated (`format raw`, legacy
 * framing). Compared with one UDP datagram per request this costs HAProxy no syscall per
 * request and this process one read per batch of lines instead of one per request; when the
 * receiver is away (control plane restarting) the ring keeps the newest lines and HAProxy never
 * blocks on it.
 *
 * Two ways to count. Given `counters` (production), requests and status classes come from
 * HAProxy's counters read once a second (exact; HAProxy then logs only a sample of requests
 * above a few hundred a second per service, see haproxy-config.ts), and the lines only give
 * RequestLatency samples. Without it, every line is a request and is counted.
 */

export type Logger = (message: string, fields?: Record<string, unknown>) => void;

export interface RequestLogReceiverOptions {
  recorder: MetricsRecorder;
  /** The service behind `s_<serviceId>`; undefined once it is gone (its requests are then only counted). */
  services: (serviceId: string) => ServiceRef | undefined;
  clock: Clock;
  logger: Logger;
  /** How often seconds that have passed are flushed. Default: once a second, just after each second begins. */
  flushIntervalMs?: number;
  /** The router's cumulative counters (HaproxyRouter.counters); when given, counts come from them, not from lines. */
  counters?: () => Promise<CounterSnapshot>;
  /**
   * After each read the connection rests this long, so lines pile up in the kernel and the next
   * read takes them in one go: the cost per line stays small at any request rate, not only when
   * HAProxy already batches (at 8,000 requests/s one read per line cost ~34 µs a line). Default 50 ms.
   */
  readPauseMs?: number;
  /** Each response of a service's new version during a gradual rollout (`c_<serviceId>` lines): CanaryMeasurements.record. */
  canary?: (serviceId: string, status: number, totalMs: number) => void;
}

/** Counters since start(), for `openrunner` tools and tests. */
export interface RequestLogStats {
  /** Lines received. */
  lines: number;
  /** Lines of service backends (all requests, or with `counters` the sampled ones). */
  serviceRequests: number;
  /** Requests of other backends: unknown hosts (`be_unknown`), requests rejected before routing. */
  unrouted: number;
  /** Lines that were not request log lines (or longer than a line can be). */
  malformed: number;
  /** Requests of `s_<id>` backends whose service `services()` did not know (deleted meanwhile). */
  unknownService: number;
  /** recordRequests calls that threw. */
  recordFailures: number;
  /** Reads of the router's counters that failed (their counts go to the next read that works). */
  counterFailures: number;
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
const NEWLINE = 10;
/** Longer than any request line (`maxlen` of the ring): a partial line beyond it is dropped, not buffered forever. */
const MAX_LINE_BYTES = 4096;
/** Seconds are flushed this long after they end, so lines of their last requests have arrived (reads rest 50 ms). */
const FLUSH_DELAY_MS = 100;

/**
 * Receives HAProxy's request log on 127.0.0.1 and turns it into RequestReports: one
 * `recordRequests` per service per second, made once the second has passed (the second a
 * request belongs to is the one in which its log line arrived: the request had just ended).
 */
export class RequestLogReceiver {
  private server: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();
  private task: PeriodicTask | undefined;
  private readonly buckets = new Map<string, Bucket>();
  /** With `counters`: latency samples per service since the last read of the counters. */
  private readonly samples = new Map<string, number[]>();
  private readonly deltas = new CounterDeltas();
  private ticking: Promise<void> | undefined;
  private readonly scratch = newScan();
  private readonly counters: RequestLogStats = {
    lines: 0,
    serviceRequests: 0,
    unrouted: 0,
    malformed: 0,
    unknownService: 0,
    recordFailures: 0,
    counterFailures: 0,
  };

  constructor(private readonly opts: RequestLogReceiverOptions) {}

  /** Listens on 127.0.0.1 (a free port); the router's ring forwards to the port returned. */
  async start(): Promise<{ port: number }> {
    if (this.server) throw new Error("RequestLogReceiver is already started");
    const server = net.createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.opts.logger("request log listener error", { error: String(err) }));
    this.server = server;
    this.task = this.newTask();
    this.task.start();
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("request log listener has no TCP address");
    return { port: address.port };
  }

  /** Closes the listener and HAProxy's connections, and records what is pending, the current second included. */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    await task?.stop();
    await this.ticking;
    if (this.opts.counters && this.server) await this.countSecond();
    const server = this.server;
    this.server = undefined;
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [serviceId, b] of this.buckets) this.flushBucket(serviceId, b);
    this.buckets.clear();
  }

  /** The timer: with counters, reads them and records the second that passed; otherwise flush(). */
  async tick(): Promise<void> {
    if (!this.opts.counters) {
      this.flush();
      return;
    }
    if (!this.ticking) this.ticking = this.countSecond().finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  /** Records every service-second that has passed (without counters; the timer calls it; tests with a manual clock too). */
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

  /** tick() every flushIntervalMs, or else just after each second begins. */
  private newTask(): PeriodicTask {
    const every = this.opts.flushIntervalMs;
    return new PeriodicTask({
      name: "request log: recording the seconds that passed",
      everyMs: every ?? 1000,
      ...(every === undefined ? { nextRunInMs: () => 1000 - (this.opts.clock.now() % 1000) + FLUSH_DELAY_MS } : {}),
      run: () => this.tick(),
      logger: this.opts.logger,
    });
  }

  /** Reads the counters and records their counts since the last read, with the latency samples, as the second that just ended. */
  private async countSecond(): Promise<void> {
    const read = this.opts.counters;
    if (!read) return;
    const second = Math.floor(this.opts.clock.now() / 1000) - 1;
    let snapshot: CounterSnapshot;
    try {
      snapshot = await read();
    } catch (err) {
      // The next read that works counts these requests too (deltas are against the last good read).
      const failures = ++this.counters.counterFailures;
      if (isPowerOfTwo(failures)) this.opts.logger("request log: reading the router's counters failed", { failures, error: String(err) });
      return;
    }
    const deltas = this.deltas.next(snapshot);
    for (const [serviceId, delta] of deltas) {
      this.record(serviceId, second, { ...delta, latenciesMs: this.samples.get(serviceId) ?? [] });
    }
    // Samples of services with no counted request belong to requests counted before (or to the baseline).
    this.samples.clear();
  }

  /** HAProxy's ring forwarder (two during a reload: the old worker's and the new one's). */
  private onConnection(socket: net.Socket): void {
    this.connections.add(socket);
    // A line split across reads waits here for its end.
    let partial: Buffer | undefined;
    const pauseMs = this.opts.readPauseMs ?? 50;
    socket.on("data", (chunk: Buffer) => {
      let data = partial ? Buffer.concat([partial, chunk]) : chunk;
      partial = undefined;
      let from = 0;
      for (let nl = data.indexOf(NEWLINE, from); nl >= 0; nl = data.indexOf(NEWLINE, from)) {
        this.onLine(data.toString("latin1", from, nl));
        from = nl + 1;
      }
      if (from < data.length) {
        data = data.subarray(from);
        if (data.length > MAX_LINE_BYTES) this.onLine(data.toString("latin1", 0, 200));
        else partial = Buffer.from(data);
      }
      if (pauseMs > 0) {
        socket.pause();
        setTimeout(() => socket.resume(), pauseMs).unref();
      }
    });
    socket.on("error", (err) => this.opts.logger("request log connection error", { error: String(err) }));
    socket.on("close", () => this.connections.delete(socket));
  }

  /** One line; the hot path (thousands a second): no allocation beyond the line and the service id. */
  private onLine(line: string): void {
    const c = this.counters;
    c.lines++;
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
    if (this.opts.canary && isCanaryBackend(line, sc)) this.opts.canary(serviceId, sc.status, sc.totalMs);
    if (this.opts.counters) {
      if (sc.totalMs < 0) return;
      const samples = this.samples.get(serviceId);
      if (samples) samples.push(sc.totalMs);
      else this.samples.set(serviceId, [sc.totalMs]);
      return;
    }
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
    this.record(serviceId, b.second, {
      requests: b.requests,
      status2xx: b.status2xx,
      status4xx: b.status4xx,
      status5xx: b.status5xx,
      latenciesMs: b.latenciesMs,
    });
    b.requests = 0;
    b.status2xx = 0;
    b.status4xx = 0;
    b.status5xx = 0;
    // The recorder may keep the array; the next second gets its own.
    b.latenciesMs = [];
  }

  private record(serviceId: string, second: number, report: RequestReport): void {
    const service = this.opts.services(serviceId);
    if (service === undefined) {
      const before = this.counters.unknownService;
      this.counters.unknownService += report.requests;
      if (Math.floor(Math.log2(before + 1)) !== Math.floor(Math.log2(this.counters.unknownService + 1))) {
        this.opts.logger("request log: requests of an unknown service were not recorded", {
          serviceId,
          second,
          requests: report.requests,
          totalUnknown: this.counters.unknownService,
        });
      }
      return;
    }
    try {
      this.opts.recorder.recordRequests(service, second, report);
    } catch (err) {
      this.counters.recordFailures++;
      this.opts.logger("request log: recording a second of requests failed", {
        serviceId,
        second,
        requests: report.requests,
        error: String(err),
      });
    }
  }
}
