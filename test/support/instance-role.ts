/**
 * An instance role made as the guide says, through OpenRunner's IAM API with the SDK's IAM
 * client: a role that trusts tasks.apprunner.amazonaws.com, with one inline policy (what the
 * service's code, or App Runner reading its secrets, may do with it).
 *
 *   const InstanceRoleArn = await createInstanceRole(server.running, "app-role", "reads", policy);
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";

export const INSTANCE_ROLE_TRUST_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "tasks.apprunner.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The new role's ARN. */
export async function createInstanceRole(
  server: { endpoint: string; rootKey: { accessKeyId: string; secretAccessKey: string } },
  roleName: string,
  policyName: string,
  policyDocument: string,
  region = "us-east-1",
): Promise<string> {
  const iam = new IAMClient({ endpoint: server.endpoint, region, credentials: server.rootKey, maxAttempts: 1 });
  try {
    const arn = (await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: INSTANCE_ROLE_TRUST_POLICY }))).Role?.Arn;
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: policyDocument }));
    if (!arn) throw new Error(`IAM answered without the ARN of ${roleName}`);
    return arn;
  } finally {
    iam.destroy();
  }
}
