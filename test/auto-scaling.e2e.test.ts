import {
  CreateAutoScalingConfigurationCommand,
  CreateServiceCommand,
  DeleteAutoScalingConfigurationCommand,
  DeleteServiceCommand,
  DescribeAutoScalingConfigurationCommand,
  DescribeServiceCommand,
  ListAutoScalingConfigurationsCommand,
  ListServicesForAutoScalingConfigurationCommand,
  UpdateDefaultAutoScalingConfigurationCommand,
  type AppRunnerClient,
  type AutoScalingConfiguration,
  type ListAutoScalingConfigurationsCommandInput,
} from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };

async function create(client: AppRunnerClient, name: string, settings: { MinSize?: number; MaxSize?: number; MaxConcurrency?: number } = {}) {
  const out = await client.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: name, ...settings }));
  assert.ok(out.AutoScalingConfiguration);
  return out.AutoScalingConfiguration;
}

async function describeAsc(client: AppRunnerClient, arn: string): Promise<AutoScalingConfiguration> {
  const out = await client.send(new DescribeAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn }));
  assert.ok(out.AutoScalingConfiguration);
  return out.AutoScalingConfiguration;
}

async function listAll(client: AppRunnerClient, input: ListAutoScalingConfigurationsCommandInput = {}) {
  return (await client.send(new ListAutoScalingConfigurationsCommand(input))).AutoScalingConfigurationSummaryList ?? [];
}

/** A partial ARN ending at the name (or name/revision), as the API accepts. */
function partial(fullArn: string | undefined, keep: 1 | 2): string {
  const [prefix = "", rest = ""] = (fullArn ?? "").split(":autoscalingconfiguration/");
  return `${prefix}:autoscalingconfiguration/${rest.split("/").slice(0, keep).join("/")}`;
}

async function settled(client: AppRunnerClient, arn: string): Promise<string> {
  return eventually(async () => {
    const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
    return s === "OPERATION_IN_PROGRESS" ? undefined : s;
  });
}

describe("auto scaling configurations: revisions, defaults and validation", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess();
  });
  after(async () => server.close());

  it("provides DefaultConfiguration as the default from the start", async () => {
    const list = await listAll(server.client);
    const def = list.find((c) => c.AutoScalingConfigurationName === "DefaultConfiguration");
    assert.equal(def?.IsDefault, true);
    assert.equal(def?.AutoScalingConfigurationRevision, 1);
    // App Runner sends this status in lower case, whatever its model's enum says.
    assert.equal(def?.Status, "active");
    const described = await describeAsc(server.client, partial(def?.AutoScalingConfigurationArn, 1));
    assert.deepEqual(
      [described.MaxConcurrency, described.MinSize, described.MaxSize, described.Latest, described.Status],
      [100, 1, 25, true, "active"],
    );
  });

  it("makes a new revision for an existing name and moves Latest to it", async () => {
    const { client } = server;
    const first = await create(client, "high-availability");
    assert.match(
      first.AutoScalingConfigurationArn ?? "",
      /^arn:aws:apprunner:us-east-1:\d{12}:autoscalingconfiguration\/high-availability\/1\/[0-9a-f]{32}$/,
    );
    assert.deepEqual(
      [first.MaxConcurrency, first.MinSize, first.MaxSize, first.Latest, first.IsDefault, first.HasAssociatedService],
      [100, 1, 25, true, false, false],
    );
    assert.ok(first.CreatedAt instanceof Date);
    const second = await create(client, "high-availability", { MinSize: 3, MaxSize: 10, MaxConcurrency: 50 });
    assert.equal(second.AutoScalingConfigurationRevision, 2);
    assert.equal(second.Latest, true);
    assert.equal((await describeAsc(client, first.AutoScalingConfigurationArn ?? "")).Latest, false);

    // A partial ARN names the latest active revision, or the revision it ends with.
    assert.equal((await describeAsc(client, partial(first.AutoScalingConfigurationArn, 1))).AutoScalingConfigurationRevision, 2);
    assert.equal((await describeAsc(client, partial(first.AutoScalingConfigurationArn, 2))).MinSize, 1);

    // LatestOnly defaults to true.
    const latest = await listAll(client, { AutoScalingConfigurationName: "high-availability" });
    assert.deepEqual(latest.map((c) => c.AutoScalingConfigurationRevision), [2]);
    const all = await listAll(client, { AutoScalingConfigurationName: "high-availability", LatestOnly: false });
    assert.deepEqual(all.map((c) => c.AutoScalingConfigurationRevision), [1, 2]);
  });

  it("rejects invalid settings with InvalidRequestException", async () => {
    const { client } = server;
    await assert.rejects(create(client, "bad-sizes", { MinSize: 10, MaxSize: 5 }), { name: "InvalidRequestException" });
    await assert.rejects(create(client, "bad-concurrency", { MaxConcurrency: 201 }), { name: "InvalidRequestException" });
    await assert.rejects(create(client, "bad-min", { MinSize: 26 }), { name: "InvalidRequestException" });
    await assert.rejects(create(client, "x"), { name: "InvalidRequestException" });
    assert.equal((await listAll(client)).some((c) => c.AutoScalingConfigurationName?.startsWith("bad-")), false);
  });

  it("answers ResourceNotFoundException for ARNs that name nothing", async () => {
    const { client } = server;
    const missing = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/nothing/1/0123456789abcdef0123456789abcdef";
    await assert.rejects(describeAsc(client, missing), { name: "ResourceNotFoundException" });
    await assert.rejects(describeAsc(client, partial(missing, 1)), { name: "ResourceNotFoundException" });
    await assert.rejects(client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: missing })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(client.send(new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: missing })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(client.send(new ListServicesForAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: missing })), {
      name: "ResourceNotFoundException",
    });
  });

  it("deletes a revision softly: inactive, still describable, no longer listed", async () => {
    const { client } = server;
    const one = await create(client, "soft-delete");
    const two = await create(client, "soft-delete");
    const deleted = await client.send(
      new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: partial(one.AutoScalingConfigurationArn, 1) }),
    );
    assert.equal(deleted.AutoScalingConfiguration?.AutoScalingConfigurationArn, two.AutoScalingConfigurationArn);
    assert.equal(deleted.AutoScalingConfiguration?.Status, "inactive");
    assert.equal(deleted.AutoScalingConfiguration?.Latest, false);
    assert.ok(deleted.AutoScalingConfiguration?.DeletedAt instanceof Date);
    // Latest moves back to the highest remaining active revision.
    assert.equal((await describeAsc(client, one.AutoScalingConfigurationArn ?? "")).Latest, true);
    assert.equal((await describeAsc(client, two.AutoScalingConfigurationArn ?? "")).Status, "inactive");
    const listed = await listAll(client, { AutoScalingConfigurationName: "soft-delete", LatestOnly: false });
    assert.deepEqual(listed.map((c) => c.AutoScalingConfigurationRevision), [1]);
    // An inactive revision can't be deleted again or made the default.
    await assert.rejects(client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: two.AutoScalingConfigurationArn })), {
      name: "InvalidRequestException",
    });
    // Revision numbers continue after a deleted one.
    assert.equal((await create(client, "soft-delete")).AutoScalingConfigurationRevision, 3);
  });

  it("deletes every revision with DeleteAllRevisions, given a name-only ARN", async () => {
    const { client } = server;
    const one = await create(client, "delete-all");
    await create(client, "delete-all");
    await assert.rejects(
      client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: one.AutoScalingConfigurationArn, DeleteAllRevisions: true })),
      { name: "InvalidRequestException" },
    );
    const out = await client.send(
      new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: partial(one.AutoScalingConfigurationArn, 1), DeleteAllRevisions: true }),
    );
    assert.equal(out.AutoScalingConfiguration?.AutoScalingConfigurationRevision, 2);
    assert.deepEqual(await listAll(client, { AutoScalingConfigurationName: "delete-all", LatestOnly: false }), []);
    assert.equal((await describeAsc(client, one.AutoScalingConfigurationArn ?? "")).Status, "inactive");
  });

  it("answers in App Runner's case for revisions a data directory stored in the model's", async () => {
    const { client } = server;
    const made = await create(client, "stored-upper");
    const arn = made.AutoScalingConfigurationArn ?? "";
    // What earlier versions of OpenRunner wrote: the model's upper-case spelling.
    const { store } = server.running;
    const legacy = (status: string): void => {
      const row = store.resources.get<Record<string, unknown>>(arn);
      assert.ok(row);
      store.resources.update({ ...row, status, doc: { ...row.doc, Status: status } });
    };
    legacy("ACTIVE");
    assert.equal((await describeAsc(client, arn)).Status, "active");
    assert.deepEqual((await listAll(client, { AutoScalingConfigurationName: "stored-upper" })).map((c) => c.Status), ["active"]);
    assert.equal((await client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn }))).AutoScalingConfiguration?.Status, "inactive");
    legacy("INACTIVE");
    assert.equal((await describeAsc(client, arn)).Status, "inactive");
  });

  it("pages with MaxResults and NextToken", async () => {
    const { client } = server;
    for (const n of ["page-aaa", "page-bbb", "page-ccc"]) await create(client, n);
    const expected = (await listAll(client, { LatestOnly: false })).map((c) => c.AutoScalingConfigurationArn);
    const seen: (string | undefined)[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(new ListAutoScalingConfigurationsCommand({ LatestOnly: false, MaxResults: 1, NextToken: token }));
      assert.ok((out.AutoScalingConfigurationSummaryList ?? []).length <= 1);
      seen.push(...(out.AutoScalingConfigurationSummaryList ?? []).map((c) => c.AutoScalingConfigurationArn));
      token = out.NextToken;
    } while (token);
    assert.deepEqual(seen, expected);
    assert.ok(seen.length >= 5);
    await assert.rejects(client.send(new ListAutoScalingConfigurationsCommand({ NextToken: "not-a-token" })), {
      name: "InvalidRequestException",
    });
  });
});

describe("auto scaling configuration quotas", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ quotas: { autoScalingConfigurationNames: 2, autoScalingConfigurationRevisions: 2 } });
  });
  after(async () => server.close());

  it("limits names (DefaultConfiguration not counted) and revisions per name", async () => {
    const { client } = server;
    const a = await create(client, "quota-a");
    const b = await create(client, "quota-b");
    await assert.rejects(create(client, "quota-c"), { name: "ServiceQuotaExceededException" });
    await create(client, "quota-a");
    await assert.rejects(create(client, "quota-a"), { name: "ServiceQuotaExceededException" });
    // Deleting frees room: a revision for its name, a whole name for the name quota.
    await client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: a.AutoScalingConfigurationArn }));
    assert.equal((await create(client, "quota-a")).AutoScalingConfigurationRevision, 3);
    await client.send(
      new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: partial(b.AutoScalingConfigurationArn, 1), DeleteAllRevisions: true }),
    );
    await create(client, "quota-c");
  });
});

describe("auto scaling configurations in use by services", () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
  });
  after(async () => server.close());

  it("reports associated services, lists them, and refuses to delete while in use", async () => {
    const { client } = server;
    const asc = await create(client, "shared-scaling", { MinSize: 2, MaxSize: 4 });
    const arn = asc.AutoScalingConfigurationArn ?? "";
    const services: string[] = [];
    for (const name of ["uses-asc-1", "uses-asc-2"]) {
      const out = await client.send(
        new CreateServiceCommand({ ServiceName: name, SourceConfiguration: { ImageRepository: image }, AutoScalingConfigurationArn: partial(arn, 1) }),
      );
      assert.equal(out.Service?.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn, arn);
      assert.equal(out.Service?.AutoScalingConfigurationSummary?.Status, "active");
      services.push(out.Service?.ServiceArn ?? "");
    }
    for (const s of services) assert.equal(await settled(client, s), "RUNNING");

    assert.equal((await describeAsc(client, arn)).HasAssociatedService, true);
    const summary = (await listAll(client)).find((c) => c.AutoScalingConfigurationArn === arn);
    assert.equal(summary?.HasAssociatedService, true);
    const listed = await client.send(new ListServicesForAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn }));
    assert.deepEqual(listed.ServiceArnList, services);

    const first = await client.send(new ListServicesForAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn, MaxResults: 1 }));
    assert.deepEqual(first.ServiceArnList, [services[0]]);
    assert.ok(first.NextToken);
    const second = await client.send(
      new ListServicesForAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn, MaxResults: 1, NextToken: first.NextToken }),
    );
    assert.deepEqual(second.ServiceArnList, [services[1]]);
    assert.equal(second.NextToken, undefined);

    await assert.rejects(client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn })), {
      name: "InvalidRequestException",
    });

    for (const s of services) {
      await client.send(new DeleteServiceCommand({ ServiceArn: s }));
      assert.equal(await settled(client, s), "DELETED");
    }
    assert.equal((await describeAsc(client, arn)).HasAssociatedService, false);
    const none = await client.send(new ListServicesForAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn }));
    assert.deepEqual(none.ServiceArnList, []);
    const deleted = await client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: arn }));
    assert.equal(deleted.AutoScalingConfiguration?.Status, "inactive");
    // A deleted revision can no longer be given to a service.
    await assert.rejects(
      client.send(new CreateServiceCommand({ ServiceName: "too-late", SourceConfiguration: { ImageRepository: image }, AutoScalingConfigurationArn: arn })),
      { name: "InvalidRequestException" },
    );
  });

  it("moves the default with UpdateDefaultAutoScalingConfiguration", async () => {
    const { client } = server;
    const cheap = await create(client, "cheap-scaling", { MaxSize: 2 });
    const updated = await client.send(
      new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: partial(cheap.AutoScalingConfigurationArn, 1) }),
    );
    assert.equal(updated.AutoScalingConfiguration?.IsDefault, true);
    const defaults = (await listAll(client, { LatestOnly: false })).filter((c) => c.IsDefault);
    assert.deepEqual(defaults.map((c) => c.AutoScalingConfigurationName), ["cheap-scaling"]);

    // A new revision of the default name is the default too, and new services get it.
    const cheap2 = await create(client, "cheap-scaling", { MaxSize: 3 });
    assert.equal(cheap2.IsDefault, true);
    assert.equal((await describeAsc(client, cheap.AutoScalingConfigurationArn ?? "")).IsDefault, true);
    const svc = await client.send(new CreateServiceCommand({ ServiceName: "gets-default", SourceConfiguration: { ImageRepository: image } }));
    assert.equal(svc.Service?.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn, cheap2.AutoScalingConfigurationArn);

    // The default can't be deleted; the former default, now unused and not default, can.
    await assert.rejects(client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: cheap.AutoScalingConfigurationArn })), {
      name: "InvalidRequestException",
    });
    const def = (await listAll(client)).find((c) => c.AutoScalingConfigurationName === "DefaultConfiguration");
    assert.equal(def?.IsDefault, false);
    const gone = await client.send(new DeleteAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: def?.AutoScalingConfigurationArn }));
    assert.equal(gone.AutoScalingConfiguration?.Status, "inactive");

    // Moving the default back is refused for an inactive revision.
    await assert.rejects(
      client.send(new UpdateDefaultAutoScalingConfigurationCommand({ AutoScalingConfigurationArn: def?.AutoScalingConfigurationArn })),
      { name: "InvalidRequestException" },
    );
    assert.equal(await settled(client, svc.Service?.ServiceArn ?? ""), "RUNNING");
  });
});
