import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
// The wire shape is the server's own (type only: nothing of src/ is bundled).
import type { ServiceInstance } from "../../../src/domain/instances.js";
import type { ServiceDeploymentSummary } from "../../../src/api/openrunner/service-deployments.js";
import type { RolloutWire } from "../../../src/api/openrunner/describe-rollout.js";
import { callAwsJson, type AwsJsonTarget } from "./aws-json";

/** What CompleteConnectionHandshake answers: the connection as App Runner's API shows it. */
export interface HandshakeConnection {
  ConnectionArn?: string;
  ConnectionName?: string;
  ProviderType?: string;
  Status?: string;
}

/**
 * OpenRunner's own operations (`X-Amz-Target: OpenRunner.<Operation>`, AWS JSON 1.0), signed
 * exactly as the App Runner client signs: SigV4 for `apprunner`.
 */
const OPENRUNNER: AwsJsonTarget = { signingName: "apprunner", targetPrefix: "OpenRunner", jsonVersion: "1.0" };

/**
 * The console's "Complete handshake": hands the provider token to the server, which seals it
 * with its data directory's key. The token is sent once, over this signed call, and kept nowhere.
 */
export async function completeConnectionHandshake(apprunner: AppRunnerClient, connectionArn: string, token: string): Promise<HandshakeConnection> {
  const out = await callAwsJson(apprunner, OPENRUNNER, "CompleteConnectionHandshake", { ConnectionArn: connectionArn, Token: token });
  return (out.Connection ?? {}) as HandshakeConnection;
}

/** The service's running instances, each with the node it runs on (App Runner's API has no such operation). */
export async function listServiceInstances(apprunner: AppRunnerClient, serviceArn: string): Promise<ServiceInstance[]> {
  const out = await callAwsJson(apprunner, OPENRUNNER, "ListServiceInstances", { ServiceArn: serviceArn });
  return (out.Instances ?? []) as ServiceInstance[];
}

/** A retained successful deployment (OpenRunner.ListServiceDeployments), newest first. */
export type { ServiceDeploymentSummary };

/** The service's retained successful deployments: what "Roll back to this version" can deploy again. */
export async function listServiceDeployments(apprunner: AppRunnerClient, serviceArn: string): Promise<ServiceDeploymentSummary[]> {
  const out = await callAwsJson(apprunner, OPENRUNNER, "ListServiceDeployments", { ServiceArn: serviceArn });
  return (out.Deployments ?? []) as ServiceDeploymentSummary[];
}

/** Deploys a retained deployment again (OpenRunner.RollbackService): its operation's id. */
export async function rollbackService(apprunner: AppRunnerClient, serviceArn: string, deploymentId: string): Promise<string> {
  const out = await callAwsJson(apprunner, OPENRUNNER, "RollbackService", { ServiceArn: serviceArn, DeploymentId: deploymentId });
  return String(out.OperationId ?? "");
}

/** A gradual rollout as OpenRunner.DescribeRollout shows it (times in epoch seconds). */
export type Rollout = RolloutWire;

/** The service's latest gradual rollout, in progress or the last one finished; undefined when it has had none. */
export async function describeRollout(apprunner: AppRunnerClient, serviceArn: string): Promise<Rollout | undefined> {
  const out = await callAwsJson(apprunner, OPENRUNNER, "DescribeRollout", { ServiceArn: serviceArn });
  return out.Rollout as Rollout | undefined;
}
