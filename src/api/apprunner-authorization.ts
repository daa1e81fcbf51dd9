import type { AuthorizationRequest } from "../iam/authorization.js";
import { passRole, requestTagConditions, stringAt, tagKeysCondition } from "../iam/request-conditions.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";

/** What App Runner's roles are passed to: `iam:PassedToService` of CreateService and UpdateService. */
export const APPRUNNER_SERVICE_PRINCIPAL = "apprunner.amazonaws.com";

type Input = Record<string, unknown>;
type Conditions = Record<string, string | readonly string[]>;

/**
 * The member holding the ARN each operation acts on, as the Service Authorization Reference's
 * "Actions defined by AWS App Runner" names its resource type. Operations not here act on "*":
 * the List* without a target, and the Create* (the resource has no ARN before it exists).
 */
const TARGET: Record<string, string> = {
  AssociateCustomDomain: "ServiceArn",
  DeleteService: "ServiceArn",
  DescribeCustomDomains: "ServiceArn",
  DescribeService: "ServiceArn",
  DisassociateCustomDomain: "ServiceArn",
  ListOperations: "ServiceArn",
  PauseService: "ServiceArn",
  ResumeService: "ServiceArn",
  StartDeployment: "ServiceArn",
  UpdateService: "ServiceArn",
  DeleteAutoScalingConfiguration: "AutoScalingConfigurationArn",
  DescribeAutoScalingConfiguration: "AutoScalingConfigurationArn",
  ListServicesForAutoScalingConfiguration: "AutoScalingConfigurationArn",
  UpdateDefaultAutoScalingConfiguration: "AutoScalingConfigurationArn",
  DeleteConnection: "ConnectionArn",
  DeleteObservabilityConfiguration: "ObservabilityConfigurationArn",
  DescribeObservabilityConfiguration: "ObservabilityConfigurationArn",
  DeleteVpcConnector: "VpcConnectorArn",
  DescribeVpcConnector: "VpcConnectorArn",
  DeleteVpcIngressConnection: "VpcIngressConnectionArn",
  DescribeVpcIngressConnection: "VpcIngressConnectionArn",
  UpdateVpcIngressConnection: "VpcIngressConnectionArn",
  ListTagsForResource: "ResourceArn",
  TagResource: "ResourceArn",
  UntagResource: "ResourceArn",
};

const withValue = (out: Conditions, key: string, value: string | undefined): void => {
  if (value !== undefined) out[key] = value;
};

/** apprunner:ConnectionArn, AutoScalingConfigurationArn, ObservabilityConfigurationArn, VpcConnectorArn of what a service is given. */
function serviceConditions(input: Input): Conditions {
  const out: Conditions = {};
  withValue(out, "apprunner:connectionarn", stringAt(input, "SourceConfiguration", "AuthenticationConfiguration", "ConnectionArn"));
  withValue(out, "apprunner:autoscalingconfigurationarn", stringAt(input, "AutoScalingConfigurationArn"));
  withValue(out, "apprunner:observabilityconfigurationarn", stringAt(input, "ObservabilityConfiguration", "ObservabilityConfigurationArn"));
  withValue(out, "apprunner:vpcconnectorarn", stringAt(input, "NetworkConfiguration", "EgressConfiguration", "VpcConnectorArn"));
  return out;
}

/** apprunner:VpcId and apprunner:VpcEndpointId of an ingress connection's configuration. */
function ingressConditions(input: Input): Conditions {
  const out: Conditions = {};
  withValue(out, "apprunner:vpcid", stringAt(input, "IngressVpcConfiguration", "VpcId"));
  withValue(out, "apprunner:vpcendpointid", stringAt(input, "IngressVpcConfiguration", "VpcEndpointId"));
  return out;
}

/** The roles a service is given: the instance role its code runs as and the access role that pulls its image. */
function rolesPassed(input: Input): AuthorizationRequest[] {
  const roles = [stringAt(input, "InstanceConfiguration", "InstanceRoleArn"), stringAt(input, "SourceConfiguration", "AuthenticationConfiguration", "AccessRoleArn")];
  return [...new Set(roles.filter((r): r is string => r !== undefined))].map((r) => passRole(r, APPRUNNER_SERVICE_PRINCIPAL));
}

function conditionsOf(operation: string, input: Input): Conditions | undefined {
  switch (operation) {
    case "CreateService":
      return { ...serviceConditions(input), ...requestTagConditions(input.Tags) };
    case "UpdateService":
      return serviceConditions(input);
    case "CreateVpcIngressConnection": {
      const out: Conditions = { ...ingressConditions(input), ...requestTagConditions(input.Tags) };
      withValue(out, "apprunner:servicearn", stringAt(input, "ServiceArn"));
      return out;
    }
    case "UpdateVpcIngressConnection":
      return ingressConditions(input);
    case "CreateAutoScalingConfiguration":
    case "CreateConnection":
    case "CreateObservabilityConfiguration":
    case "CreateVpcConnector":
    case "TagResource":
      return requestTagConditions(input.Tags);
    case "UntagResource":
      return tagKeysCondition(input.TagKeys);
    default:
      return undefined;
  }
}

/** What IAM authorizes for one App Runner call: `apprunner:<Operation>` on its target, plus iam:PassRole for each role it hands over. */
export function appRunnerRequestsOf(operation: string, input: Input): AuthorizationRequest[] {
  const member = Object.hasOwn(TARGET, operation) ? TARGET[operation] : undefined;
  const resource = (member === undefined ? undefined : stringAt(input, member)) ?? "*";
  const conditions = conditionsOf(operation, input);
  const main: AuthorizationRequest = conditions === undefined || Object.keys(conditions).length === 0
    ? { action: `apprunner:${operation}`, resource }
    : { action: `apprunner:${operation}`, resource, conditions };
  return operation === "CreateService" || operation === "UpdateService" ? [main, ...rolesPassed(input)] : [main];
}

export const appRunnerAuthorization: NonNullable<AwsJsonApi["authorization"]> = {
  actionPrefix: "apprunner",
  requestsOf: (operation, input) => appRunnerRequestsOf(operation, input),
};
