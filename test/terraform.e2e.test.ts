import {
  DescribeAutoScalingConfigurationCommand,
  DescribeServiceCommand,
  ListAutoScalingConfigurationsCommand,
  ListConnectionsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { missingHostTools } from "../src/runtime/local/setup.js";
import { pushHelloApp } from "./support/app-images.js";
import { copyToBuiltInRegistry } from "./support/built-in-registry.js";
import { eventually, startInProcess, tempDataDir, type InProcessServer } from "./support/harness.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { hostLeftovers, httpText, randomAddressBlock } from "./support/runtime-fixture.js";
import { awsProviderBlocks, findTerraform, TerraformWorkspace, type AwsEndpoints, type StateResource } from "./support/terraform.js";

/*
 * Terraform's AWS provider is what many App Runner users manage services with; it waits on the
 * exact status strings the real service sends (`active` for auto scaling configurations,
 * `pending_certificate_dns_validation` for custom domains, ...), so this drives every
 * aws_apprunner_* resource through apply, plan, update, import and destroy against a real
 * server whose services run as runc containers.
 */

const setup = findTerraform();
const runtimeMissing = missingHostTools().join(", ");
const skip = typeof setup === "string" ? setup : runtimeMissing ? `local runtime unavailable: ${runtimeMissing}` : false;

/** What changes between the steps of the test. */
interface Variant {
  message: string;
  stage: string;
  /** HCL expression for the default auto scaling configuration's ARN. */
  defaultArn: string;
  /** Import blocks: resource address -> import ID. */
  imports?: Record<string, string>;
}

/** With `endpointsBlock`, the provider block as docs/compatibility.md shows it; without, the workspace's environment has the endpoints. */
function configuration(providerVersion: string, image: string, v: Variant, endpointsBlock?: AwsEndpoints): string {
  const imports = Object.entries(v.imports ?? {})
    .map(([to, id]) => `import {\n  to = ${to}\n  id = ${JSON.stringify(id)}\n}\n`)
    .join("");
  return `${awsProviderBlocks(providerVersion, endpointsBlock ? { endpointsBlock } : {})}
resource "aws_apprunner_auto_scaling_configuration_version" "small" {
  auto_scaling_configuration_name = "tf-small"
  max_concurrency                 = 10
  min_size                        = 1
  max_size                        = 2
  tags                            = { stage = "${v.stage}" }
}

resource "aws_apprunner_auto_scaling_configuration_version" "large" {
  auto_scaling_configuration_name = "tf-large"
  max_size                        = 4
}

resource "aws_apprunner_default_auto_scaling_configuration_version" "default" {
  auto_scaling_configuration_arn = ${v.defaultArn}
}

resource "aws_apprunner_observability_configuration" "traces" {
  observability_configuration_name = "tf-traces"
  trace_configuration {
    vendor = "AWSXRAY"
  }
  tags = { stage = "${v.stage}" }
}

resource "aws_apprunner_vpc_connector" "vpc" {
  vpc_connector_name = "tf-vpc"
  subnets            = ["subnet-0123456789abcdef0"]
  security_groups    = ["sg-0123456789abcdef0"]
}

resource "aws_apprunner_connection" "github" {
  connection_name = "tf-github"
  provider_type   = "GITHUB"
}

resource "aws_apprunner_service" "web" {
  service_name                   = "tf-web"
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.small.arn
  source_configuration {
    auto_deployments_enabled = false
    image_repository {
      image_identifier      = "${image}"
      image_repository_type = "ECR_PUBLIC"
      image_configuration {
        port                          = "8080"
        runtime_environment_variables = { MESSAGE = "${v.message}" }
      }
    }
  }
  instance_configuration {
    cpu    = "256"
    memory = "512"
  }
  health_check_configuration {
    protocol = "HTTP"
    path     = "/"
  }
  network_configuration {
    egress_configuration {
      egress_type       = "VPC"
      vpc_connector_arn = aws_apprunner_vpc_connector.vpc.arn
    }
  }
  observability_configuration {
    observability_enabled           = true
    observability_configuration_arn = aws_apprunner_observability_configuration.traces.arn
  }
  tags = { stage = "${v.stage}" }
}

resource "aws_apprunner_vpc_ingress_connection" "private" {
  name        = "tf-private"
  service_arn = aws_apprunner_service.web.arn
  ingress_vpc_configuration {
    vpc_id          = "vpc-0123456789abcdef0"
    vpc_endpoint_id = "vpce-0123456789abcdef0"
  }
  tags = { stage = "${v.stage}" }
}

resource "aws_apprunner_custom_domain_association" "www" {
  domain_name = "tf.example.com"
  service_arn = aws_apprunner_service.web.arn
}

resource "aws_apprunner_deployment" "redeploy" {
  service_arn = aws_apprunner_service.web.arn
}
${imports}`;
}

/** The first apply's variant. */
const first: Variant = { message: "one", stage: "apply", defaultArn: "aws_apprunner_auto_scaling_configuration_version.small.arn" };

describe("Terraform's AWS provider against OpenRunner", { skip }, () => {
  let registry: TestRegistry;
  let data: ReturnType<typeof tempDataDir> | undefined;
  let server: InProcessServer;
  let tf: TerraformWorkspace;
  let workDir = "";
  let prefix = "";
  let image = "";
  let providedDefaultArn = "";
  let state = new Map<string, StateResource>();

  const tfSetup = (): Exclude<ReturnType<typeof findTerraform>, string> => {
    if (typeof setup === "string") throw new Error(setup);
    return setup;
  };
  const endpoints = (): AwsEndpoints => ({ url: server.running.endpoint, services: ["apprunner"] });
  const write = (v: Variant): void => tf.writeConfig(configuration(tfSetup().providerVersion, image, v));
  const attr = (address: string, name: string): unknown => {
    const r = state.get(address);
    assert.ok(r, `${address} is in the state: ${[...state.keys()].join(", ")}`);
    return r.values[name];
  };
  const arnOf = (address: string): string => String(attr(address, "arn"));
  /** The bodies the service's instances answer with on `path`. */
  const served = async (path: string): Promise<string[]> => {
    const id = String(attr("aws_apprunner_service.web", "service_id"));
    const instances = (server.running.driver as LocalRuntimeDriver).instances(id);
    return Promise.all(instances.map(async (i) => (await httpText(`http://${i.address}:${i.port}${path}`)).body.trim()));
  };
  const assertNoChanges = async (when: string): Promise<void> => {
    const plan = await tf.plan();
    assert.equal(plan.changes, false, `${when}, a plan must show no changes:\n${plan.output}`);
  };

  before(async () => {
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "latest", "v1");
    // The provider accepts only ECR image identifiers: the image goes into the built-in
    // registry, whose ECR name is this account's, as a Terraform user's pipeline pushes it.
    data = tempDataDir();
    const registryPort = await freePort();
    server = await startInProcess({ dataDir: data.dir, localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0 }, registry: { port: registryPort } });
    const { endpoint, rootKey, config } = server.running;
    image = await copyToBuiltInRegistry({ endpoint, credentials: rootKey, registryPort, account: config.accountId }, `${registry.host}/hello:latest`, "hello", "latest");
    prefix = server.running.store.meta.get("runtime_prefix") ?? "";
    const provided = await server.client.send(new ListAutoScalingConfigurationsCommand({ AutoScalingConfigurationName: "DefaultConfiguration" }));
    providedDefaultArn = provided.AutoScalingConfigurationSummaryList?.[0]?.AutoScalingConfigurationArn ?? "";
    workDir = mkdtempSync(join(tmpdir(), "openrunner-terraform-"));
    tf = new TerraformWorkspace(tfSetup(), workDir, server.running.rootKey, endpoints());
    write(first);
    await tf.ok(["init", "-no-color", "-input=false"]);
  });

  after(async () => {
    await tf?.close();
    await server?.close();
    data?.remove();
    await registry?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("applies every aws_apprunner_* resource, with the statuses App Runner sends", async () => {
    await tf.apply();
    state = tf.state();
    assert.deepEqual([...state.keys()].sort(), [
      "aws_apprunner_auto_scaling_configuration_version.large",
      "aws_apprunner_auto_scaling_configuration_version.small",
      "aws_apprunner_connection.github",
      "aws_apprunner_custom_domain_association.www",
      "aws_apprunner_default_auto_scaling_configuration_version.default",
      "aws_apprunner_deployment.redeploy",
      "aws_apprunner_observability_configuration.traces",
      "aws_apprunner_service.web",
      "aws_apprunner_vpc_connector.vpc",
      "aws_apprunner_vpc_ingress_connection.private",
    ]);
    assert.equal(attr("aws_apprunner_auto_scaling_configuration_version.small", "status"), "active");
    assert.equal(attr("aws_apprunner_custom_domain_association.www", "status"), "pending_certificate_dns_validation");
    assert.equal(attr("aws_apprunner_observability_configuration.traces", "status"), "ACTIVE");
    assert.equal(attr("aws_apprunner_vpc_connector.vpc", "status"), "ACTIVE");
    assert.equal(attr("aws_apprunner_vpc_ingress_connection.private", "status"), "AVAILABLE");
    assert.equal(attr("aws_apprunner_connection.github", "status"), "PENDING_HANDSHAKE");
    assert.equal(attr("aws_apprunner_service.web", "status"), "RUNNING");
    assert.equal(attr("aws_apprunner_deployment.redeploy", "status"), "SUCCEEDED");
    const small = arnOf("aws_apprunner_auto_scaling_configuration_version.small");
    assert.equal(attr("aws_apprunner_default_auto_scaling_configuration_version.default", "auto_scaling_configuration_arn"), small);
    assert.equal(attr("aws_apprunner_default_auto_scaling_configuration_version.default", "id"), server.running.config.accountId);
    const asc = await server.client.send(new DescribeAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: small }));
    assert.equal(asc.AutoScalingConfiguration?.IsDefault, true);
    assert.deepEqual(await served("/cgi-bin/env"), ["MESSAGE=one"]);
  });

  it("plans no changes right after the apply, also with the provider's endpoints block as the docs show it", async () => {
    await assertNoChanges("after the first apply");
    // The other steps give the provider its endpoints in its environment (support/terraform.ts
    // says why); this plan reads the same state through the `endpoints` block users write.
    const dir = mkdtempSync(join(tmpdir(), "openrunner-terraform-block-"));
    const docs = new TerraformWorkspace(tfSetup(), dir, server.running.rootKey);
    try {
      docs.writeConfig(configuration(tfSetup().providerVersion, image, first, endpoints()));
      await docs.ok(["init", "-no-color", "-input=false"]);
      copyFileSync(join(workDir, "terraform.tfstate"), join(dir, "terraform.tfstate"));
      const plan = await docs.plan();
      assert.equal(plan.changes, false, `with the endpoints block, a plan must show no changes:\n${plan.output}`);
    } finally {
      await docs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("updates in place: the service's variables, tags and the default auto scaling configuration", async () => {
    const serviceArn = arnOf("aws_apprunner_service.web");
    write({ message: "two", stage: "update", defaultArn: "aws_apprunner_auto_scaling_configuration_version.large.arn" });
    const applied = await tf.apply();
    assert.match(applied, /Apply complete! Resources: 0 added, 5 changed, 0 destroyed\./, applied);
    state = tf.state();
    assert.equal(arnOf("aws_apprunner_service.web"), serviceArn, "the service was updated, not replaced");
    assert.deepEqual(await served("/cgi-bin/env"), ["MESSAGE=two"]);
    const large = arnOf("aws_apprunner_auto_scaling_configuration_version.large");
    assert.equal((await server.client.send(new DescribeAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: large }))).AutoScalingConfiguration?.IsDefault, true);
    const tags = await server.client.send(new ListTagsForResourceCommand({ ResourceArn: arnOf("aws_apprunner_auto_scaling_configuration_version.small") }));
    assert.deepEqual(tags.Tags, [{ Key: "stage", Value: "update" }]);
    await assertNoChanges("after the update");
  });

  it("imports every importable resource with no changes to plan", async () => {
    const serviceArn = arnOf("aws_apprunner_service.web");
    const imports: Record<string, string> = {
      "aws_apprunner_auto_scaling_configuration_version.small": arnOf("aws_apprunner_auto_scaling_configuration_version.small"),
      "aws_apprunner_auto_scaling_configuration_version.large": arnOf("aws_apprunner_auto_scaling_configuration_version.large"),
      "aws_apprunner_default_auto_scaling_configuration_version.default": server.running.config.accountId,
      "aws_apprunner_observability_configuration.traces": arnOf("aws_apprunner_observability_configuration.traces"),
      "aws_apprunner_vpc_connector.vpc": arnOf("aws_apprunner_vpc_connector.vpc"),
      "aws_apprunner_connection.github": "tf-github",
      "aws_apprunner_service.web": serviceArn,
      "aws_apprunner_vpc_ingress_connection.private": arnOf("aws_apprunner_vpc_ingress_connection.private"),
      "aws_apprunner_custom_domain_association.www": `tf.example.com,${serviceArn}`,
    };
    await tf.ok(["state", "rm", "-no-color", ...Object.keys(imports)]);
    write({ message: "two", stage: "update", defaultArn: "aws_apprunner_auto_scaling_configuration_version.large.arn", imports });
    const applied = await tf.apply();
    assert.match(applied, /Apply complete! Resources: 9 imported, 0 added, 0 changed, 0 destroyed\./, applied);
    state = tf.state();
    assert.equal(attr("aws_apprunner_custom_domain_association.www", "status"), "pending_certificate_dns_validation");
    assert.equal(attr("aws_apprunner_auto_scaling_configuration_version.large", "status"), "active");
    await assertNoChanges("after the import");
  });

  it("destroys everything it made, leaving nothing on the host", async () => {
    const serviceArn = arnOf("aws_apprunner_service.web");
    const small = arnOf("aws_apprunner_auto_scaling_configuration_version.small");
    // The default can't be deleted (in App Runner either): hand it back to the provided one first.
    write({ message: "two", stage: "update", defaultArn: JSON.stringify(providedDefaultArn) });
    await tf.apply();
    await tf.ok(["destroy", "-no-color", "-auto-approve", "-input=false"]);
    state = tf.state();
    assert.deepEqual([...state.keys()], []);
    assert.equal((await server.client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }))).Service?.Status, "DELETED");
    const gone = await server.client.send(new DescribeAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: small }));
    assert.equal(gone.AutoScalingConfiguration?.Status, "inactive");
    const left = await server.client.send(new ListAutoScalingConfigurationsCommand({}));
    assert.deepEqual(
      left.AutoScalingConfigurationSummaryList?.map((s) => [s.AutoScalingConfigurationName, s.Status, s.IsDefault]),
      [["DefaultConfiguration", "active", true]],
    );
    const connections = await server.client.send(new ListConnectionsCommand({}));
    assert.deepEqual(connections.ConnectionSummaryList?.filter((c) => c.Status !== "DELETED"), []);
    await eventually(async () => (hostLeftovers(prefix, server.running.dataDir).length === 0 ? true : undefined), 10_000, 200).catch(() => {
      assert.deepEqual(hostLeftovers(prefix, server.running.dataDir), []);
    });
  });
});
