import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  type AppRunnerClient,
} from "@aws-sdk/client-apprunner";
import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { appRunnerClient, credentialsIn, eventually, spawnOpenRunner, tempDataDir, type SpawnedServer } from "./support/harness.js";

const image = { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" as const };
/** Slow enough that the test can act while an operation is open; only ever used to kill mid-operation. */
// Long enough that a loaded machine still kills the process between two phases.
const SLOW = { OPENRUNNER_ENGINE_STEP_DELAY_MS: "3000" };
const FAST = { OPENRUNNER_ENGINE_STEP_DELAY_MS: "0" };

/**
 * `openrunner up` processes of one test, always stopped by the PID this harness started
 * (SIGKILL in `finally`, a no-op for those already gone) and their data directory removed.
 */
class Processes {
  readonly data = tempDataDir("openrunner-durability-");
  private current: { server: SpawnedServer; client: AppRunnerClient } | undefined;

  async start(env: Record<string, string>): Promise<{ server: SpawnedServer; client: AppRunnerClient }> {
    assert.equal(this.current, undefined, "one server at a time on a data directory");
    const server = await spawnOpenRunner(["--data-dir", this.data.dir, "--port", "0", "--runtime", "none"], env);
    const client = appRunnerClient(server.endpoint, credentialsIn(this.data.dir));
    this.current = { server, client };
    return this.current;
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    const c = this.current;
    this.current = undefined;
    if (!c) return;
    c.client.destroy();
    await c.server.stop(signal);
  }

  async cleanup(): Promise<void> {
    await this.stop("SIGKILL");
    this.data.remove();
  }
}

const accountOf = (server: SpawnedServer): string => /account: (\d{12})/.exec(server.output())?.[1] ?? "";

async function settled(client: AppRunnerClient, arn: string): Promise<string> {
  return eventually(async () => {
    const s = (await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status;
    return s === "OPERATION_IN_PROGRESS" ? undefined : s;
  });
}

async function operations(client: AppRunnerClient, arn: string): Promise<{ Id?: string; Type?: string; Status?: string }[]> {
  const ops = (await client.send(new ListOperationsCommand({ ServiceArn: arn }))).OperationSummaryList ?? [];
  return ops.map((o) => ({ Id: o.Id, Type: o.Type, Status: o.Status }));
}

/** Waits until the newest operation of the service is IN_PROGRESS (the engine has begun it). */
async function inProgress(client: AppRunnerClient, arn: string): Promise<string> {
  return eventually(async () => {
    const [newest] = await operations(client, arn);
    return newest?.Status === "IN_PROGRESS" ? newest.Id : undefined;
  });
}

/** Reads the stopped server's SQLite file directly, as an operator inspecting a data directory would. */
function query<T>(dir: string, sql: string, ...params: string[]): T[] {
  return queryFile<T>(join(dir, "openrunner.db"), sql, ...params);
}

/** What a stopped server left in a database file of its data directory. */
function queryFile<T>(file: string, sql: string, ...params: string[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe("durability of `openrunner up` across restarts and kills", () => {
  it("keeps account, credentials, services, tags and operations across a SIGTERM restart", async () => {
    const p = new Processes();
    try {
      const first = await p.start(FAST);
      assert.match(first.server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/, "--port 0 prints the real port");
      assert.doesNotMatch(first.server.endpoint, /:0$/);
      const credentials = readFileSync(join(p.data.dir, "credentials"), "utf8");
      const account = accountOf(first.server);
      assert.match(account, /^\d{12}$/);

      const arns: string[] = [];
      for (const [ServiceName, team] of [["keep-one", "web"], ["keep-two", "api"]] as const) {
        const created = await first.client.send(
          new CreateServiceCommand({ ServiceName, SourceConfiguration: { ImageRepository: image }, Tags: [{ Key: "team", Value: team }] }),
        );
        arns.push(created.Service?.ServiceArn ?? "");
      }
      for (const arn of arns) assert.equal(await settled(first.client, arn), "CREATE_FAILED");
      const snapshot = async (client: AppRunnerClient): Promise<unknown> => ({
        services: (await client.send(new ListServicesCommand({}))).ServiceSummaryList,
        described: await Promise.all(arns.map(async (a) => (await client.send(new DescribeServiceCommand({ ServiceArn: a }))).Service)),
        operations: await Promise.all(arns.map((a) => operations(client, a))),
      });
      const before = await snapshot(first.client);
      await p.stop("SIGTERM");
      assert.equal(first.server.child.exitCode, 0, "a SIGTERM stop is a clean exit");

      const second = await p.start(FAST);
      assert.equal(accountOf(second.server), account);
      assert.equal(readFileSync(join(p.data.dir, "credentials"), "utf8"), credentials);
      assert.deepEqual(await snapshot(second.client), before);
      await p.stop("SIGTERM");

      const tags = query<{ resource_arn: string; key: string; value: string }>(
        p.data.dir,
        `SELECT resource_arn, key, value FROM tags ORDER BY value DESC`,
      );
      assert.deepEqual(tags, [
        { resource_arn: arns[0], key: "team", value: "web" },
        { resource_arn: arns[1], key: "team", value: "api" },
      ]);
    } finally {
      await p.cleanup();
    }
  });

  it("fails a CreateService cut short by SIGKILL cleanly after restart, exactly once", async () => {
    const p = new Processes();
    try {
      const slow = await p.start(SLOW);
      const created = await slow.client.send(
        new CreateServiceCommand({ ServiceName: "killed-mid-create", SourceConfiguration: { ImageRepository: image } }),
      );
      const arn = created.Service?.ServiceArn ?? "";
      const opId = await inProgress(slow.client, arn);
      assert.equal(opId, created.OperationId);
      await p.stop("SIGKILL");
      assert.equal(slow.server.child.signalCode, "SIGKILL");
      // What the killed process left: the operation is still open, so the restart has work to do.
      const left = query<{ status: string }>(p.data.dir, `SELECT status FROM operations WHERE id = ?`, opId);
      assert.deepEqual(left, [{ status: "IN_PROGRESS" }]);

      const fast = await p.start(FAST);
      assert.equal(await settled(fast.client, arn), "CREATE_FAILED");
      assert.deepEqual(await operations(fast.client, arn), [{ Id: opId, Type: "CREATE_SERVICE", Status: "FAILED" }]);
      const services = (await fast.client.send(new ListServicesCommand({}))).ServiceSummaryList ?? [];
      assert.deepEqual(
        services.map((s) => s.ServiceName),
        ["killed-mid-create"],
      );
      await p.stop("SIGTERM");

      const id = created.Service?.ServiceId ?? "";
      const log = queryFile<{ message: string }>(
        join(p.data.dir, "logs.db"),
        `SELECT e.message FROM log_events e JOIN log_streams s ON s.id = e.stream_id JOIN log_groups g ON g.id = s.group_id
         WHERE g.name = ? AND s.name = ? ORDER BY e.timestamp, e.id`,
        `/aws/apprunner/killed-mid-create/${id}/service`,
        `deployment/${opId}`,
      ).map((r) => r.message);
      assert.ok(
        log.some((m) => m.includes("No runtime is available")),
        `deployment log:\n${log.join("\n")}`,
      );
      assert.match(log.at(-1) ?? "", new RegExp(`Deployment with ID : ${opId} failed\\. Failure reason : No runtime is available`));
      const startedLines = log.filter((m) => m.includes(`Deployment with ID : ${opId} started.`));
      assert.equal(startedLines.length, 1, "the restart resumed the operation, it did not start it again");
    } finally {
      await p.cleanup();
    }
  });

  it("finishes a DeleteService cut short by SIGKILL after restart", async () => {
    const p = new Processes();
    try {
      const first = await p.start(FAST);
      const created = await first.client.send(
        new CreateServiceCommand({ ServiceName: "killed-mid-delete", SourceConfiguration: { ImageRepository: image } }),
      );
      const arn = created.Service?.ServiceArn ?? "";
      assert.equal(await settled(first.client, arn), "CREATE_FAILED");
      await p.stop("SIGTERM");

      const slow = await p.start(SLOW);
      const deleted = await slow.client.send(new DeleteServiceCommand({ ServiceArn: arn }));
      assert.equal(await inProgress(slow.client, arn), deleted.OperationId);
      await p.stop("SIGKILL");

      const fast = await p.start(FAST);
      assert.equal(await settled(fast.client, arn), "DELETED");
      assert.deepEqual(
        (await operations(fast.client, arn)).map((o) => `${o.Type}:${o.Status}`),
        ["DELETE_SERVICE:SUCCEEDED", "CREATE_SERVICE:FAILED"],
      );
      const services = (await fast.client.send(new ListServicesCommand({}))).ServiceSummaryList ?? [];
      assert.equal(services.length, 0);
    } finally {
      await p.cleanup();
    }
  });
});
