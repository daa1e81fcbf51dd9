import {
  CreateObservabilityConfigurationCommand,
  CreateServiceCommand,
  DeleteObservabilityConfigurationCommand,
  DeleteServiceCommand,
  DescribeObservabilityConfigurationCommand,
  DescribeServiceCommand,
  ListObservabilityConfigurationsCommand,
  ListTagsForResourceCommand,
  type AppRunnerClient,
  type ObservabilityConfiguration,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

async function create(client: AppRunnerClient, name: string, tracing = false): Promise<ObservabilityConfiguration> {
  const out = await client.send(
    new CreateObservabilityConfigurationCommand({
      ObservabilityConfigurationName: name,
      ...(tracing ? { TraceConfiguration: { Vendor: "AWSXRAY" as const } } : {}),
    }),
  );
  assert.ok(out.ObservabilityConfiguration);
  return out.ObservabilityConfiguration;
}

async function describeObs(client: AppRunnerClient, arn: string | undefined): Promise<ObservabilityConfiguration> {
  const out = await client.send(new DescribeObservabilityConfigurationCommand({ ObservabilityConfigurationArn: arn }));
  assert.ok(out.ObservabilityConfiguration);
  return out.ObservabilityConfiguration;
}

function nameOnly(fullArn: string | undefined): string {
  return (fullArn ?? "").split("/").slice(0, 2).join("/");
}

describe("observability configurations", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
  });
  after(async () => server.close());

  it("creates revisions with optional tracing and moves Latest", async () => {
    const { client } = server;
    const one = await client.send(
      new CreateObservabilityConfigurationCommand({
        ObservabilityConfigurationName: "tracing",
        TraceConfiguration: { Vendor: "AWSXRAY" },
        Tags: [{ Key: "team", Value: "web" }],
      }),
    );
    const first = one.ObservabilityConfiguration;
    assert.match(
      first?.ObservabilityConfigurationArn ?? "",
      /^arn:aws:apprunner:us-east-1:\d{12}:observabilityconfiguration\/tracing\/1\/[0-9a-f]{32}$/,
    );
    assert.deepEqual(first?.TraceConfiguration, { Vendor: "AWSXRAY" });
    assert.deepEqual([first?.Latest, first?.Status, first?.ObservabilityConfigurationRevision], [true, "ACTIVE", 1]);
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceArn: first?.ObservabilityConfigurationArn }));
    assert.deepEqual(tags.Tags, [{ Key: "team", Value: "web" }]);

    const second = await create(client, "tracing");
    assert.equal(second.ObservabilityConfigurationRevision, 2);
    assert.equal(second.TraceConfiguration, undefined, "without TraceConfiguration, tracing is off");
    assert.equal((await describeObs(client, first?.ObservabilityConfigurationArn)).Latest, false);
    assert.equal((await describeObs(client, nameOnly(first?.ObservabilityConfigurationArn))).ObservabilityConfigurationRevision, 2);

    const latest = await client.send(new ListObservabilityConfigurationsCommand({ ObservabilityConfigurationName: "tracing" }));
    assert.deepEqual(latest.ObservabilityConfigurationSummaryList, [
      {
        ObservabilityConfigurationArn: second.ObservabilityConfigurationArn,
        ObservabilityConfigurationName: "tracing",
        ObservabilityConfigurationRevision: 2,
      },
    ]);
    const all = await client.send(new ListObservabilityConfigurationsCommand({ ObservabilityConfigurationName: "tracing", LatestOnly: false }));
    assert.deepEqual(all.ObservabilityConfigurationSummaryList?.map((c) => c.ObservabilityConfigurationRevision), [1, 2]);
  });

  it("reserves DefaultConfiguration and validates input", async () => {
    const { client } = server;
    await assert.rejects(create(client, "DefaultConfiguration"), { name: "InvalidRequestException" });
    await assert.rejects(
      client.send(
        new CreateObservabilityConfigurationCommand({
          ObservabilityConfigurationName: "bad-vendor",
          TraceConfiguration: { Vendor: "DATADOG" as "AWSXRAY" },
        }),
      ),
      { name: "InvalidRequestException" },
    );
    await assert.rejects(create(client, "no"), { name: "InvalidRequestException" });
  });

  it("answers ResourceNotFoundException for unknown ARNs", async () => {
    const { client } = server;
    const missing = "arn:aws:apprunner:us-east-1:123456789012:observabilityconfiguration/nothing/1/0123456789abcdef0123456789abcdef";
    await assert.rejects(describeObs(client, missing), { name: "ResourceNotFoundException" });
    await assert.rejects(client.send(new DeleteObservabilityConfigurationCommand({ ObservabilityConfigurationArn: missing })), {
      name: "ResourceNotFoundException",
    });
    // An auto scaling configuration's ARN is not an observability configuration.
    const asc = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration";
    await assert.rejects(describeObs(client, asc), { name: "ResourceNotFoundException" });
  });

  it("refuses to delete a configuration a service uses, then deletes it softly", async () => {
    const { client } = server;
    const obs = await create(client, "in-use-obs", true);
    const arn = obs.ObservabilityConfigurationArn ?? "";
    const svc = await client.send(
      new CreateServiceCommand({
        ServiceName: "traced",
        SourceConfiguration: { ImageRepository: image },
        ObservabilityConfiguration: { ObservabilityEnabled: true, ObservabilityConfigurationArn: arn },
      }),
    );
    const serviceArn = svc.Service?.ServiceArn ?? "";
    const settled = (): Promise<string> =>
      eventually(async () => {
        const s = (await client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }))).Service?.Status;
        return s === "OPERATION_IN_PROGRESS" ? undefined : s;
      });
    assert.equal(await settled(), "RUNNING");
    await assert.rejects(client.send(new DeleteObservabilityConfigurationCommand({ ObservabilityConfigurationArn: arn })), {
      name: "InvalidRequestException",
    });
    await client.send(new DeleteServiceCommand({ ServiceArn: serviceArn }));
    assert.equal(await settled(), "DELETED");

    const deleted = await client.send(new DeleteObservabilityConfigurationCommand({ ObservabilityConfigurationArn: nameOnly(arn) }));
    assert.equal(deleted.ObservabilityConfiguration?.ObservabilityConfigurationArn, arn);
    assert.equal(deleted.ObservabilityConfiguration?.Status, "INACTIVE");
    assert.equal(deleted.ObservabilityConfiguration?.Latest, false);
    assert.ok(deleted.ObservabilityConfiguration?.DeletedAt instanceof Date);
    assert.equal((await describeObs(client, arn)).Status, "INACTIVE");
    const listed = await client.send(new ListObservabilityConfigurationsCommand({ LatestOnly: false }));
    assert.ok(!listed.ObservabilityConfigurationSummaryList?.some((c) => c.ObservabilityConfigurationArn === arn));
    await assert.rejects(client.send(new DeleteObservabilityConfigurationCommand({ ObservabilityConfigurationArn: arn })), {
      name: "InvalidRequestException",
    });
    // A name whose revisions are all deleted has nothing for a partial ARN to name.
    await assert.rejects(describeObs(client, nameOnly(arn)), { name: "ResourceNotFoundException" });
  });

  it("pages with MaxResults and NextToken", async () => {
    const { client } = server;
    for (const n of ["page-one", "page-two", "page-three"]) await create(client, n);
    const expected = (await client.send(new ListObservabilityConfigurationsCommand({ LatestOnly: false }))).ObservabilityConfigurationSummaryList;
    const seen: typeof expected = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(new ListObservabilityConfigurationsCommand({ LatestOnly: false, MaxResults: 1, NextToken: token }));
      assert.ok((out.ObservabilityConfigurationSummaryList ?? []).length <= 1);
      seen.push(...(out.ObservabilityConfigurationSummaryList ?? []));
      token = out.NextToken;
      pages += 1;
    } while (token);
    assert.deepEqual(seen, expected);
    assert.ok(pages >= 5);
  });
});

describe("observability configuration quotas", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ quotas: { observabilityConfigurationNames: 2, observabilityConfigurationRevisions: 2 } });
  });
  after(async () => server.close());

  it("limits names and revisions per name with ServiceQuotaExceededException", async () => {
    const { client } = server;
    const a = await create(client, "quota-a");
    await create(client, "quota-b");
    await assert.rejects(create(client, "quota-c"), { name: "ServiceQuotaExceededException" });
    await create(client, "quota-a");
    await assert.rejects(create(client, "quota-a"), { name: "ServiceQuotaExceededException" });
    await client.send(new DeleteObservabilityConfigurationCommand({ ObservabilityConfigurationArn: a.ObservabilityConfigurationArn }));
    assert.equal((await create(client, "quota-a")).ObservabilityConfigurationRevision, 3);
  });
});
