import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { awsProviderBlocks, findTerraform, initWorkspace, type TerraformWorkspace } from "./support/terraform.js";

/*
 * Terraform's aws_iam_* resources as a team moving to OpenRunner declares them: an instance
 * role trusted by tasks.apprunner.amazonaws.com with an inline policy and an attached customer
 * policy, a CI user with a key in a group with AWS's read-only App Runner policy. Apply, a plan
 * with nothing to change (every attribute read back agrees, policy documents included), destroy
 * (which lists the role's instance profiles and policies before deleting it).
 */

const setup = findTerraform();

function configuration(providerVersion: string, description: string): string {
  return `${awsProviderBlocks(providerVersion)}
resource "aws_iam_role" "instance" {
  name        = "app-instance"
  description = "${description}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "tasks.apprunner.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = { team = "web" }
}

resource "aws_iam_role_policy" "logs" {
  name = "logs"
  role = aws_iam_role.instance.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "describe" {
  name        = "describe-services"
  path        = "/app/"
  description = "describe App Runner services"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["apprunner:DescribeService"], Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "describe" {
  role       = aws_iam_role.instance.name
  policy_arn = aws_iam_policy.describe.arn
}

resource "aws_iam_user" "ci" {
  name = "ci"
  path = "/ci/"
  tags = { team = "build" }
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_group" "readers" {
  name = "readers"
}

resource "aws_iam_group_membership" "readers" {
  name  = "readers"
  group = aws_iam_group.readers.name
  users = [aws_iam_user.ci.name]
}

resource "aws_iam_group_policy_attachment" "readers" {
  group      = aws_iam_group.readers.name
  policy_arn = "arn:aws:iam::aws:policy/AWSAppRunnerReadOnlyAccess"
}
`;
}

describe("Terraform's aws_iam_* resources against OpenRunner", { skip: typeof setup === "string" ? setup : false }, () => {
  let server: InProcessServer;
  let tf: TerraformWorkspace;
  const write = (description: string): void => {
    if (typeof setup === "string") return;
    tf.writeConfig(configuration(setup.providerVersion, description));
  };

  before(async () => {
    if (typeof setup === "string") return;
    server = await startInProcess();
    tf = await initWorkspace(setup, "openrunner-tf-iam-", server.running.rootKey, configuration(setup.providerVersion, "one"), {
      url: server.running.endpoint,
      services: ["iam"],
    });
  });
  after(async () => {
    try {
      await tf?.discard();
    } finally {
      await server?.close();
    }
  });

  it("applies, then plans nothing to change", async () => {
    await tf.apply();
    const account = server.running.config.accountId;
    assert.equal(tf.state().get("aws_iam_role.instance")?.values.arn, `arn:aws:iam::${account}:role/app-instance`);
    assert.equal(tf.state().get("aws_iam_user.ci")?.values.arn, `arn:aws:iam::${account}:user/ci/ci`);
    assert.equal(tf.state().get("aws_iam_policy.describe")?.values.arn, `arn:aws:iam::${account}:policy/app/describe-services`);
    const plan = await tf.plan();
    assert.equal(plan.changes, false, plan.output);
  });

  it("updates the role's description in place", async () => {
    write("two");
    assert.match(await tf.apply(), /1 changed/);
  });

  it("destroys everything", async () => {
    await tf.ok(["destroy", "-no-color", "-auto-approve", "-input=false"]);
    assert.deepEqual(server.running.store.iam.entities.list("user"), []);
    assert.deepEqual(server.running.store.iam.entities.list("role").map((r) => r.name), ["AWSServiceRoleForAppRunner"]);
  });
});
