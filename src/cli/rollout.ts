import { parseArgs } from "node:util";
import type { RolloutWire } from "../api/openrunner/describe-rollout.js";
import { callApi } from "./api-client.js";
import { COMMON, connect } from "./deployments.js";

const USAGE = `Usage: openrunner rollout --service NAME|ARN [--json] [--data-dir DIR] [--endpoint URL]
  The service's latest gradual rollout (tag openrunner:gradual-rollout): its status, the
  percent of new clients the new deployment takes, each step with the new deployment's
  requests, 5xx and p99 over the window, and why it went back if it did.
  Calls OpenRunner.DescribeRollout with the root key 'openrunner up' wrote to DIR/credentials.`;

const time = (s: number): string => new Date(s * 1000).toISOString().slice(0, 19).replace("T", " ");

/** Pure: DescribeRollout's answer as the lines the command prints. */
export function rolloutLines(r: RolloutWire | undefined): string[] {
  if (!r) return ["The service has had no gradual rollout."];
  const s = r.Settings;
  const lines = [
    `Rollout of deployment ${r.DeploymentId} (previous deployment ${r.PreviousDeploymentId})`,
    `Status: ${r.Status}, ${r.Percent}% of new clients to the new deployment; started ${time(r.StartedAt)}${r.EndedAt !== undefined ? `, ended ${time(r.EndedAt)}` : ""}`,
    `Settings: steps=${s.Steps.join("/")} interval=${s.IntervalSeconds}s max-5xx=${s.Max5xxPercent} max-p99=${s.MaxP99Millis}ms window=${s.WindowSeconds}s min-requests=${s.MinRequests}`,
    `${"STEP".padEnd(5)} ${"PERCENT".padEnd(8)} ${"STARTED (UTC)".padEnd(20)} ${"REQUESTS".padEnd(9)} ${"5XX".padEnd(6)} P99`,
  ];
  r.Steps.forEach((x, i) => {
    lines.push(`${String(i + 1).padEnd(5)} ${`${x.Percent}%`.padEnd(8)} ${time(x.StartedAt).padEnd(20)} ${String(x.Requests).padEnd(9)} ${String(x.Errors5xx).padEnd(6)} ${x.P99Millis !== undefined ? `${x.P99Millis} ms` : "-"}`);
  });
  if (r.Reason) lines.push(`Reason: ${r.Reason}`);
  return lines;
}

/** `openrunner rollout --service …`: the service's latest gradual rollout. */
export async function rolloutCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { ...COMMON, json: { type: "boolean", default: false } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { at, arn } = await connect(values);
  const out = await callApi<{ Rollout?: RolloutWire }>(at, "OpenRunner.DescribeRollout", { ServiceArn: arn });
  process.stdout.write(values.json ? `${JSON.stringify(out, null, 2)}\n` : `${rolloutLines(out.Rollout).join("\n")}\n`);
}
