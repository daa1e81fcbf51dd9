import type { CreateServiceRequest, SourceConfiguration } from "@aws-sdk/client-apprunner";
import type { ApiDeps } from "./api-context.js";
import type { Wire } from "../protocol/wire.js";
import { invalidRequest, invalidState } from "../errors/app-runner-error.js";
import type { OperationType } from "../store/operations.js";
import type { ServiceRow } from "./service-record.js";
import { secretReferenceProblems } from "./runtime-secrets.js";

const VERB: Record<OperationType, string> = {
  CREATE_SERVICE: "created",
  UPDATE_SERVICE: "updated",
  START_DEPLOYMENT: "deployed",
  PAUSE_SERVICE: "paused",
  RESUME_SERVICE: "resumed",
  DELETE_SERVICE: "deleted",
};

/** The statuses from which each operation may start (developer guide: pausing; failed creation). */
const ALLOWED_FROM: Record<OperationType, readonly string[]> = {
  CREATE_SERVICE: [],
  // A service whose creation failed can be fixed with UpdateService, as App Runner allows.
  UPDATE_SERVICE: ["RUNNING", "CREATE_FAILED"],
  START_DEPLOYMENT: ["RUNNING"],
  PAUSE_SERVICE: ["RUNNING"],
  RESUME_SERVICE: ["PAUSED"],
  DELETE_SERVICE: ["RUNNING", "PAUSED", "CREATE_FAILED", "DELETE_FAILED", "OPERATION_IN_PROGRESS"],
};

/**
 * One operation at a time per service (InvalidStateException otherwise), except DeleteService,
 * which is always allowed and cancels what is running. A paused service refuses changes.
 */
export function assertCanStart(s: ServiceRow, type: OperationType, busy: boolean, deleting = false): void {
  if (type === "DELETE_SERVICE") {
    if (deleting) throw invalidState(`Service ${s.name} is already being deleted.`);
    return;
  }
  if (busy || s.status === "OPERATION_IN_PROGRESS") {
    throw invalidState(
      `Service cannot be ${VERB[type]} because another operation is in progress. Wait for it to finish, then try again.`,
    );
  }
  if (!ALLOWED_FROM[type].includes(s.status)) {
    const paused = s.status === "PAUSED" ? " Resume the service first." : "";
    throw invalidState(`Service cannot be ${VERB[type]} in its current state: ${s.status}.${paused}`);
  }
}

/** Exactly one source; code from the API needs its values; build and start commands are one line each. */
export function checkSourceConfiguration(src: Wire<SourceConfiguration> | undefined): void {
  const hasCode = src?.CodeRepository !== undefined;
  const hasImage = src?.ImageRepository !== undefined;
  if (hasCode === hasImage) {
    throw invalidRequest("SourceConfiguration must contain exactly one of CodeRepository or ImageRepository.");
  }
  const code = src?.CodeRepository;
  if (code?.CodeConfiguration?.ConfigurationSource === "API" && !code.CodeConfiguration.CodeConfigurationValues) {
    throw invalidRequest("CodeConfigurationValues is required when ConfigurationSource is API.");
  }
  if (code && !code.CodeConfiguration) {
    throw invalidRequest("CodeConfiguration is required for a CodeRepository source.");
  }
  const image = src?.ImageRepository?.ImageConfiguration;
  checkSecrets("ImageConfiguration", image?.RuntimeEnvironmentSecrets, image?.RuntimeEnvironmentVariables);
  const values = code?.CodeConfiguration?.CodeConfigurationValues;
  checkSecrets("CodeConfigurationValues", values?.RuntimeEnvironmentSecrets, values?.RuntimeEnvironmentVariables);
  // As on App Runner: an image of ECR (the built-in registry) is pulled with an access role; ECR Public needs none.
  if (src?.ImageRepository?.ImageRepositoryType === "ECR" && !src.AuthenticationConfiguration?.AccessRoleArn) {
    throw invalidRequest(
      "An ECR image repository needs an access role: set SourceConfiguration.AuthenticationConfiguration.AccessRoleArn to a role that trusts build.apprunner.amazonaws.com and may pull the image (AWSAppRunnerServicePolicyForECRAccess).",
    );
  }
}

/** RuntimeEnvironmentSecrets: each a reference App Runner can read, under a name a secret may have. */
function checkSecrets(where: string, secrets: Record<string, string> | undefined, variables: Record<string, string> | undefined): void {
  const problems = secretReferenceProblems(secrets ?? {}, new Set(Object.keys(variables ?? {})));
  if (problems.length === 0) return;
  const listed = problems.map((p) => `${p.name}: ${p.message}`).join("; ");
  throw invalidRequest(`${where}.RuntimeEnvironmentSecrets is not valid (${listed}).`);
}

type References = Partial<Pick<Wire<CreateServiceRequest>, "SourceConfiguration" | "NetworkConfiguration" | "ObservabilityConfiguration">>;

/** Every ARN a service refers to must exist here and be usable. */
export function checkServiceReferences(deps: Pick<ApiDeps, "store">, input: References): void {
  const connection = input.SourceConfiguration?.AuthenticationConfiguration?.ConnectionArn;
  if (connection) {
    const c = deps.store.resources.get(connection);
    if (!c || c.kind !== "connection" || c.deletedAt !== null) throw invalidRequest(`Connection not found: ${connection}`);
  }
  const obs = input.ObservabilityConfiguration;
  if (obs?.ObservabilityEnabled) {
    if (!obs.ObservabilityConfigurationArn) {
      throw invalidRequest("ObservabilityConfigurationArn is required when ObservabilityEnabled is true.");
    }
    const o = deps.store.resources.get(obs.ObservabilityConfigurationArn);
    if (!o || o.kind !== "observability-configuration" || o.deletedAt !== null) {
      throw invalidRequest(`Observability configuration not found: ${obs.ObservabilityConfigurationArn}`);
    }
  }
  const egress = input.NetworkConfiguration?.EgressConfiguration;
  if (egress?.EgressType === "VPC") {
    if (!egress.VpcConnectorArn) throw invalidRequest("VpcConnectorArn is required when EgressType is VPC.");
    const v = deps.store.resources.get(egress.VpcConnectorArn);
    if (!v || v.kind !== "vpc-connector" || v.deletedAt !== null) {
      throw invalidRequest(`VPC connector not found: ${egress.VpcConnectorArn}`);
    }
  }
}
