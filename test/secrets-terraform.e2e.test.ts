import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ListSecretsCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from "@aws-sdk/client-kms";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { awsProviderBlocks, findTerraform, initWorkspace, type TerraformWorkspace } from "./support/terraform.js";

/*
 * Terraform's KMS, Secrets Manager and Parameter Store resources as a team keeping its
 * service's configuration in OpenRunner declares them: a customer managed key with an alias,
 * a secret under that key with a value, a SecureString under the key and a plain String.
 * Apply, read the values back through the SDK, a plan with nothing to change, destroy (the
 * secret force-deleted, recovery_window_in_days = 0; the key scheduled for deletion).
 */

const setup = findTerraform();

function configuration(providerVersion: string): string {
  return `${awsProviderBlocks(providerVersion)}
resource "aws_kms_key" "app" {
  description             = "app configuration"
  deletion_window_in_days = 7
  tags                    = { team = "web" }
}

resource "aws_kms_alias" "app" {
  name          = "alias/app"
  target_key_id = aws_kms_key.app.key_id
}

resource "aws_secretsmanager_secret" "db" {
  name                    = "app/db-password"
  description             = "the database password"
  kms_key_id              = aws_kms_key.app.arn
  recovery_window_in_days = 0
  tags                    = { team = "web" }
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = "s3cr3t-from-terraform"
}

resource "aws_ssm_parameter" "token" {
  name   = "/app/api-token"
  type   = "SecureString"
  key_id = aws_kms_key.app.key_id
  value  = "token-from-terraform"
  tags   = { team = "web" }
}

resource "aws_ssm_parameter" "region" {
  name  = "/app/region"
  type  = "String"
  value = "us-east-1"
}
`;
}

describe("Terraform's aws_kms_*, aws_secretsmanager_* and aws_ssm_parameter against OpenRunner", { skip: typeof setup === "string" ? setup : false }, () => {
  let server: InProcessServer;
  let tf: TerraformWorkspace;
  const clientConfig = (): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number } => ({
    endpoint: server.running.endpoint,
    region: "us-east-1",
    credentials: server.running.rootKey,
    maxAttempts: 1,
  });

  before(async () => {
    if (typeof setup === "string") return;
    server = await startInProcess();
    tf = await initWorkspace(setup, "openrunner-tf-secrets-", server.running.rootKey, configuration(setup.providerVersion), {
      url: server.running.endpoint,
      services: ["kms", "secretsmanager", "ssm"],
    });
  });
  after(async () => {
    try {
      await tf?.discard();
    } finally {
      await server?.close();
    }
  });

  it("applies what the SDK then reads back, and plans nothing to change", async () => {
    await tf.apply();
    const keyArn = tf.state().get("aws_kms_key.app")?.values.arn;
    assert.equal(typeof keyArn, "string");
    const secrets = new SecretsManagerClient(clientConfig());
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: "app/db-password" }));
    assert.equal(secret.SecretString, "s3cr3t-from-terraform");
    const ssm = new SSMClient(clientConfig());
    const token = await ssm.send(new GetParameterCommand({ Name: "/app/api-token", WithDecryption: true }));
    assert.equal(token.Parameter?.Value, "token-from-terraform");
    assert.equal(token.Parameter?.Type, "SecureString");
    const region = await ssm.send(new GetParameterCommand({ Name: "/app/region" }));
    assert.equal(region.Parameter?.Value, "us-east-1");
    const plan = await tf.plan();
    assert.equal(plan.changes, false, plan.output);
  });

  it("destroys everything", async () => {
    const keyArn = tf.state().get("aws_kms_key.app")?.values.arn as string;
    await tf.ok(["destroy", "-no-color", "-auto-approve", "-input=false"]);
    const secrets = new SecretsManagerClient(clientConfig());
    assert.deepEqual((await secrets.send(new ListSecretsCommand({ IncludePlannedDeletion: true }))).SecretList, []);
    const ssm = new SSMClient(clientConfig());
    assert.deepEqual((await ssm.send(new DescribeParametersCommand({}))).Parameters, []);
    const kms = new KMSClient(clientConfig());
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata?.KeyState, "PendingDeletion");
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases ?? [];
    assert.deepEqual(aliases.filter((a) => a.AliasName === "alias/app"), []);
  });
});
