/**
 * The access role App Runner needs for an image of ECR (here: the built-in registry), made as
 * the guide says, through OpenRunner's IAM API with the SDK's IAM client: a role that trusts
 * build.apprunner.amazonaws.com, with the AWSAppRunnerServicePolicyForECRAccess managed policy.
 * Idempotent: a second call finds the role made by the first.
 *
 *   const AccessRoleArn = await ensureEcrAccessRole(endpoint, rootKey);
 */
import { AttachRolePolicyCommand, CreateRoleCommand, EntityAlreadyExistsException, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";

export const ECR_ACCESS_ROLE_NAME = "AppRunnerECRAccessRole";
export const ECR_ACCESS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess";
export const ECR_ACCESS_TRUST_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "build.apprunner.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The role's ARN, made (with its policy attached) if it does not exist yet. */
export async function ensureEcrAccessRole(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = "us-east-1"): Promise<string> {
  const iam = new IAMClient({ endpoint, region, credentials, maxAttempts: 1 });
  try {
    let arn: string | undefined;
    try {
      arn = (await iam.send(new CreateRoleCommand({ RoleName: ECR_ACCESS_ROLE_NAME, AssumeRolePolicyDocument: ECR_ACCESS_TRUST_POLICY }))).Role?.Arn;
    } catch (err) {
      if (!(err instanceof EntityAlreadyExistsException)) throw err;
      arn = (await iam.send(new GetRoleCommand({ RoleName: ECR_ACCESS_ROLE_NAME }))).Role?.Arn;
    }
    // Attaching an attached policy again changes nothing.
    await iam.send(new AttachRolePolicyCommand({ RoleName: ECR_ACCESS_ROLE_NAME, PolicyArn: ECR_ACCESS_POLICY_ARN }));
    if (!arn) throw new Error(`IAM answered without the ARN of ${ECR_ACCESS_ROLE_NAME}`);
    return arn;
  } finally {
    iam.destroy();
  }
}
