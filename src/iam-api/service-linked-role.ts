import { AppRunnerError } from "../errors/app-runner-error.js";
import type { EntityRow } from "../store/iam/entities.js";
import type { RoleDoc } from "../store/iam/role-directory.js";
import type { IamDeps } from "./context.js";
import { createEntity } from "./entities.js";
import { awsManagedPolicyArn } from "./names.js";

/** App Runner's service-linked role, as the guide describes it: trusted by apprunner.amazonaws.com, with AppRunnerServiceRolePolicy. */
export const APP_RUNNER_SERVICE = "apprunner.amazonaws.com";
export const SERVICE_LINKED_ROLE_NAME = "AWSServiceRoleForAppRunner";
export const SERVICE_LINKED_ROLE_PATH = `/aws-service-role/${APP_RUNNER_SERVICE}/`;
export const SERVICE_ROLE_POLICY_ARN = awsManagedPolicyArn("/aws-service-role/", "AppRunnerServiceRolePolicy");

const TRUST_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: APP_RUNNER_SERVICE }, Action: "sts:AssumeRole" }],
});

export function createAppRunnerServiceLinkedRole(deps: IamDeps, description?: string): EntityRow {
  const doc: RoleDoc & { serviceLinked: true } = { trustPolicy: TRUST_POLICY, maxSessionDuration: 3600, serviceLinked: true, ...(description !== undefined ? { description } : {}) };
  const row = createEntity(deps, "role", SERVICE_LINKED_ROLE_NAME, SERVICE_LINKED_ROLE_PATH, { ...doc });
  deps.store.iam.policies.attach(row.id, SERVICE_ROLE_POLICY_ARN);
  return row;
}

/** Service-linked roles belong to their service: their trust and permissions are not the account's to change. */
export function refuseServiceLinked(row: EntityRow): void {
  if (row.doc.serviceLinked === true) {
    throw new AppRunnerError("UnmodifiableEntity", `Cannot perform the operation on the protected role '${row.name}' - this role is only modifiable by AWS`);
  }
}
