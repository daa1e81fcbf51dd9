import { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { createContext, useContext } from "react";
import type { AccessKey, ConsoleConfig } from "./session";

/** The same SDK clients the CLI's calls go through, signed with the signed-in user's key. */
export interface Clients {
  apprunner: AppRunnerClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  config: ConsoleConfig;
  accessKeyId: string;
}

export function createClients(key: AccessKey, config: ConsoleConfig): Clients {
  // Same origin as the page: the control plane serves every API on POST /, so no CORS.
  const common = { endpoint: window.location.origin, region: config.region, credentials: key, maxAttempts: 2 };
  return {
    apprunner: new AppRunnerClient(common),
    logs: new CloudWatchLogsClient(common),
    cloudwatch: new CloudWatchClient(common),
    config,
    accessKeyId: key.accessKeyId,
  };
}

export function destroyClients(c: Clients): void {
  c.apprunner.destroy();
  c.logs.destroy();
  c.cloudwatch.destroy();
}

export const ClientsContext = createContext<Clients | undefined>(undefined);

export function useClients(): Clients {
  const c = useContext(ClientsContext);
  if (!c) throw new Error("useClients outside a signed-in session");
  return c;
}
