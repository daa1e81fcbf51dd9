/**
 * The end of every benchmark that runs `openrunner up` with the local runtime: delete what it
 * created, wait (bounded) until the runtime has no instance left, and check the host for
 * anything left behind. Each returns lines for the run's "cleanup:" report.
 */
import { DeleteServiceCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import { sleep } from "./proc-status.js";
import { networkLeftovers, recordCount, recordNames, runcContainers } from "./runtime-host.js";

/** DeleteService for each ARN (failures counted: a service a repetition already deleted fails), then waits for the instance records to go. */
export async function deleteServicesAndWait(client: AppRunnerClient, arns: readonly string[], dataDir: string, timeoutMs: number): Promise<string[]> {
  const lines: string[] = [];
  const t0 = Date.now();
  const results = await Promise.allSettled(arns.filter(Boolean).map((arn) => client.send(new DeleteServiceCommand({ ServiceArn: arn }))));
  const failed = results.filter((r) => r.status === "rejected").length;
  if (failed > 0) lines.push(`${failed} DeleteService calls failed (already deleted ones fail)`);
  const deadline = Date.now() + timeoutMs;
  while (recordCount(dataDir) > 0 && Date.now() < deadline) await sleep(200);
  const left = recordCount(dataDir);
  lines.push(`${arns.length} services deleted: ${left} instance records left after ${Date.now() - t0} ms${left > 0 ? ` (${recordNames(dataDir).join(", ")})` : ""}`);
  return lines;
}

/** runc containers, network namespaces and links with the host layout's prefix that are still there. */
export function hostLeftoversLine(prefix: string): string {
  const left = [...runcContainers(prefix).map((id) => `container ${id}`), ...networkLeftovers(prefix)];
  return left.length === 0 ? `no container, netns or link with prefix ${prefix} left` : `LEFT ON THE HOST: ${left.join(", ")}`;
}
