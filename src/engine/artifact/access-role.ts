import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parseImageReference } from "../../images/reference.js";
import type { PullAccess } from "./types.js";

export interface BuiltInPullAccessOptions {
  /** Whether an image reference's registry host is the built-in registry. */
  isBuiltIn(registryHost: string): boolean;
  region: string;
  accountId: string;
  /** Throws unless the role may pull from the repository (iam/access-role.ts). */
  mayPull(input: { roleArn: string; repositoryArn: string; sessionName: string }): void;
}

/**
 * The access role asked for images of the built-in registry (ECR here): its repository's ARN
 * is what the role's policies must allow. Another registry's images are pulled with the
 * credentials configured for it, as before.
 */
export function builtInPullAccess(opts: BuiltInPullAccessOptions): PullAccess {
  return {
    check(req) {
      const ref = parseImageReference(req.identifier);
      if (!opts.isBuiltIn(ref.registry) || req.repositoryType !== "ECR") return;
      const repositoryArn = `arn:aws:ecr:${opts.region}:${opts.accountId}:repository/${ref.repository}`;
      if (!req.accessRoleArn) {
        throw new AppRunnerError("ImageAccessDenied", `Service ${req.serviceName} has no access role to pull ${req.identifier} (${repositoryArn}) with: set SourceConfiguration.AuthenticationConfiguration.AccessRoleArn.`);
      }
      opts.mayPull({ roleArn: req.accessRoleArn, repositoryArn, sessionName: req.deploymentId });
    },
  };
}
