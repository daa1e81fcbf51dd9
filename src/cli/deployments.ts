import { parseArgs } from "node:util";
import type { ServiceDeploymentSummary } from "../api/openrunner/service-deployments.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { callApi, endpointOfDataDir, type DataDirEndpoint } from "./api-client.js";

const USAGE_DEPLOYMENTS = `Usage: openrunner deployments --service NAME|ARN [--data-dir DIR] [--endpoint URL]
  Lists the service's retained successful deployments (the last 10), newest first: the ids
  'openrunner rollback --to' takes. Calls OpenRunner.ListServiceDeployments with the root key
  'openrunner up' wrote to DIR/credentials.`;

const USAGE_ROLLBACK = `Usage: openrunner rollback --service NAME|ARN [--to DEPLOYMENT_ID] [--data-dir DIR] [--endpoint URL]
  Deploys a retained successful deployment again (default: the one before the serving one),
  its image by digest (no pull, no build), through the normal health-gated deployment.
  Calls OpenRunner.RollbackService; prints the operation id.`;

type Summary = ServiceDeploymentSummary;

export const COMMON = {
  service: { type: "string" },
  "data-dir": { type: "string", default: process.env.OPENRUNNER_DATA_DIR ?? "./.openrunner" },
  endpoint: { type: "string" },
  help: { type: "boolean", default: false },
} as const;

/** A service given by name is looked up with App Runner's ListServices; an ARN is used as it is. */
async function serviceArnOf(at: DataDirEndpoint, service: string): Promise<string> {
  if (service.startsWith("arn:")) return service;
  let token: string | undefined;
  do {
    const page = await callApi<{ ServiceSummaryList?: { ServiceName?: string; ServiceArn?: string }[]; NextToken?: string }>(at, "AppRunner.ListServices", {
      ...(token ? { NextToken: token } : {}),
    });
    const found = page.ServiceSummaryList?.find((s) => s.ServiceName === service);
    if (found?.ServiceArn) return found.ServiceArn;
    token = page.NextToken;
  } while (token);
  throw new AppRunnerError("ResourceNotFound", `No service named ${service}.`);
}

export async function connect(values: { service?: string; "data-dir": string; endpoint?: string }): Promise<{ at: DataDirEndpoint; arn: string }> {
  if (!values.service) throw new AppRunnerError("InvalidRequest", "--service is required");
  const at = endpointOfDataDir(values["data-dir"], values.endpoint);
  return { at, arn: await serviceArnOf(at, values.service) };
}

/** `openrunner deployments --service …`: the retained successful deployments as a table. */
export async function deploymentsCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: COMMON });
  if (values.help) {
    process.stdout.write(`${USAGE_DEPLOYMENTS}\n`);
    return;
  }
  const { at, arn } = await connect(values);
  const out = await callApi<{ Deployments: Summary[] }>(at, "OpenRunner.ListServiceDeployments", { ServiceArn: arn });
  const lines = [`${"DEPLOYMENT ID".padEnd(36)}  ${"COMPLETED (UTC)".padEnd(20)}  ${"IMAGE DIGEST".padEnd(19)}  SOURCE`];
  for (const d of out.Deployments) {
    const when = new Date(d.CompletedAt * 1000).toISOString().slice(0, 19).replace("T", " ");
    lines.push(`${d.DeploymentId.padEnd(36)}  ${when.padEnd(20)}  ${d.ImageDigest.slice(0, 19)}  ${d.SourceSummary}${d.Serving ? "  (serving)" : ""}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** `openrunner rollback --service … [--to ID]`: starts the rollback and prints its operation. */
export async function rollbackCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { ...COMMON, to: { type: "string" } } });
  if (values.help) {
    process.stdout.write(`${USAGE_ROLLBACK}\n`);
    return;
  }
  const { at, arn } = await connect(values);
  const out = await callApi<{ OperationId: string; DeploymentId: string; ImageDigest: string }>(at, "OpenRunner.RollbackService", {
    ServiceArn: arn,
    ...(values.to ? { DeploymentId: values.to } : {}),
  });
  process.stdout.write(`Rollback to deployment ${out.DeploymentId} (image ${out.ImageDigest}) started: operation ${out.OperationId}\n`);
}
