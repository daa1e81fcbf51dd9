import {
  ListOperationsCommand,
  ListServicesCommand,
  type AppRunnerClient,
  type OperationSummary,
  type ServiceSummary,
} from "@aws-sdk/client-apprunner";

/** Every service, following NextToken (the console's list is filtered in the browser). */
export async function listAllServices(client: AppRunnerClient): Promise<ServiceSummary[]> {
  const out: ServiceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListServicesCommand({ NextToken: token, MaxResults: 20 }));
    out.push(...(page.ServiceSummaryList ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

/** A service's ARN from the id in the console's URL (ARNs need the account id, which the URL leaves out). */
export async function findService(client: AppRunnerClient, id: string): Promise<ServiceSummary | undefined> {
  return (await listAllServices(client)).find((s) => s.ServiceId === id);
}

export async function listAllOperations(client: AppRunnerClient, arn: string): Promise<OperationSummary[]> {
  const out: OperationSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListOperationsCommand({ ServiceArn: arn, NextToken: token, MaxResults: 20 }));
    out.push(...(page.OperationSummaryList ?? []));
    token = page.NextToken;
  } while (token && out.length < 200);
  return out;
}

export const BUSY_STATUSES = new Set(["OPERATION_IN_PROGRESS"]);

/** "UPDATE_SERVICE" → "Update service". */
export function humanOperation(type: string | undefined): string {
  if (!type) return "—";
  const w = type.toLowerCase().replace(/_/g, " ");
  return w.charAt(0).toUpperCase() + w.slice(1);
}
