import { fmt, markdownTable, type LatencySummary } from "./stats.js";

export type Operation = "DescribeService" | "ListServices";
export type Target = "openrunner" | "baseline";
/** sdk: @aws-sdk/client-apprunner per call; replay: the SDK's signed requests re-sent over node:http. */
export type ClientKind = "sdk" | "replay";

export interface PhaseResult extends LatencySummary {
  client: ClientKind;
  target: Target;
  operation: Operation;
  responseBytes: number;
  /** CPU the server process used per request (from /proc), and the client (this process). */
  serverCpuUsPerRequest: number;
  /** Of that, the server's main thread (its event loop), which every request waits for. */
  serverMainThreadCpuUsPerRequest: number;
  clientCpuUsPerRequest: number;
}

function overheadTable(results: readonly PhaseResult[], client: ClientKind): string {
  const rows = (["DescribeService", "ListServices"] as const).map((op) => {
    const find = (target: Target): PhaseResult | undefined =>
      results.find((r) => r.client === client && r.operation === op && r.target === target);
    const o = find("openrunner");
    const b = find("baseline");
    if (!o || !b) return [op, "n/a", "n/a", "n/a", "n/a"];
    const sign = (v: number): string => (v >= 0 ? `+${fmt(v)}` : fmt(v));
    return [
      op,
      sign(o.p50 - b.p50),
      sign(o.p99 - b.p99),
      `${fmt((o.throughput / b.throughput) * 100, 0)}%`,
      `+${fmt(o.serverCpuUsPerRequest - b.serverCpuUsPerRequest, 0)}`,
    ];
  });
  return markdownTable(["operation", "Δ p50 ms", "Δ p99 ms", "throughput vs baseline", "Δ server CPU µs/req"], rows);
}

/** The rows, then what OpenRunner adds over the baseline for each kind of client. */
export function latencyReport(results: readonly PhaseResult[]): string {
  const header = ["client", "operation", "server", "requests", "body B", "p50 ms", "p90 ms", "p99 ms", "max ms", "req/s", "server CPU µs/req", "of it main thread", "client CPU µs/req"];
  const rows = results.map((r) => [
    r.client,
    r.operation,
    r.target,
    String(r.requests),
    String(r.responseBytes),
    fmt(r.p50),
    fmt(r.p90),
    fmt(r.p99),
    fmt(r.max),
    fmt(r.throughput, 0),
    fmt(r.serverCpuUsPerRequest, 0),
    fmt(r.serverMainThreadCpuUsPerRequest, 0),
    fmt(r.clientCpuUsPerRequest, 0),
  ]);
  return [
    markdownTable(header, rows),
    "",
    "OpenRunner over the baseline, SDK client (same client, same response bytes):",
    "",
    overheadTable(results, "sdk"),
    "",
    "OpenRunner over the baseline, replay client (server-bound):",
    "",
    overheadTable(results, "replay"),
  ].join("\n");
}
