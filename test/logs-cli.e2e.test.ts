import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { applicationLogGroup, instanceStream } from "../src/telemetry/log-groups.js";
import { createLogsModule, type LogsModule } from "../src/telemetry/logs/module.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { awsCliEnv } from "./support/aws-cli.js";

/** Debian's AWS CLI v2 package; the pyenv shim earlier on PATH is a different (v1) CLI. */
const AWS = "/usr/bin/aws";
const GROUP = applicationLogGroup("cli-app", "0123456789abcdef0123456789abcdef");

describe("`aws logs` (AWS CLI v2) against OpenRunner", { skip: existsSync(AWS) ? false : `${AWS} is not installed` }, () => {
  let server: InProcessServer;
  let logsModule: LogsModule | undefined;
  const append = (stream: string, ...messages: string[]): void => {
    assert.ok(logsModule);
    // Through the module's log sink, as the runtime writes application output.
    logsModule.logSink.append(GROUP, instanceStream(stream), messages.map((message) => ({ timestamp: Date.now(), message })));
  };

  /** Only the server's own credential and config files, as `openrunner up` prints them. */
  const env = (): NodeJS.ProcessEnv => awsCliEnv(server.running.files);

  const common = (): string[] => ["--profile", "openrunner", "--endpoint-url", server.running.endpoint];

  function awsJson(...args: string[]): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      execFile(AWS, ["logs", ...args, ...common(), "--output", "json"], { env: env(), timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`aws logs ${args.join(" ")} failed: ${stderr}`));
        else resolve(stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {});
      });
    });
  }

  before(async () => {
    server = await startInProcess({
      modules: [
        (deps) => {
          // A shorter hold than FOLLOW_HOLD_MS keeps the "taken for a follower" case below quick
          // (its second run waits one hold). The --follow case appends as soon as a request is held.
          logsModule = createLogsModule(deps, { follow: { holdMs: 5_000 } });
          return logsModule;
        },
      ],
    });
    append("a", '{"level":"info","msg":"started"}', '{"level":"error","msg":"boom"}', "plain text line");
  });
  after(async () => server.close());

  it("describe-log-groups lists the group", async () => {
    const out = await awsJson("describe-log-groups", "--log-group-name-prefix", "/aws/apprunner/cli-app/");
    const groups = out.logGroups as { logGroupName: string; arn: string }[];
    assert.deepEqual(
      groups.map((g) => g.logGroupName),
      [GROUP],
    );
    assert.match(groups[0]?.arn ?? "", /^arn:aws:logs:us-east-1:\d{12}:log-group:\/aws\/apprunner\/cli-app\/.+:\*$/);
  });

  it("filter-log-events --filter-pattern matches JSON and term patterns", async () => {
    const json = await awsJson("filter-log-events", "--log-group-name", GROUP, "--filter-pattern", '{ $.level = "error" }');
    assert.deepEqual(
      (json.events as { message: string }[]).map((e) => e.message),
      ['{"level":"error","msg":"boom"}'],
    );
    const term = await awsJson("filter-log-events", "--log-group-name", GROUP, "--filter-pattern", '"plain text"');
    assert.deepEqual(
      (term.events as { message: string; logStreamName: string }[]).map((e) => [e.logStreamName, e.message]),
      [[instanceStream("a"), "plain text line"]],
    );
  });

  it("`aws logs tail --follow` prints a new line from a request that was already waiting for it", async (t) => {
    assert.ok(logsModule);
    const logs = logsModule;
    let out = "";
    // Python buffers stdout in blocks when it is a pipe (a terminal gets each line at once).
    const child: ChildProcess = spawn(AWS, ["logs", "tail", GROUP, "--follow", "--format", "short", ...common()], {
      env: { ...env(), PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
    try {
      // Its first poll shows what is already there (the last 10 minutes).
      await eventually(async () => (out.includes("plain text line") ? true : undefined), 30_000);
      // That answer has no nextToken (a first poll looks like plain `aws logs tail`'s), so the CLI
      // sleeps 5 s; its next poll starts the follow chain, and the request after it waits on the server.
      await eventually(async () => (logs.followStats().holding > 0 ? true : undefined), 30_000);
      const waiting = logs.followStats();
      const appendedAt = performance.now();
      append("b", "new line after tail started");
      await eventually(async () => (out.includes("new line after tail started") ? true : undefined), 30_000, 5);
      const latencyMs = performance.now() - appendedAt;
      const delivered = logs.followStats();
      assert.ok(delivered.wokenAnswers > waiting.wokenAnswers, "a held request answered with the line");
      assert.ok(
        delivered.lastWokenRequest > 0 && delivered.lastWokenRequest <= waiting.requests,
        `the request that delivered it started before the append (#${delivered.lastWokenRequest}, ${waiting.requests} started by then)`,
      );
      t.diagnostic(`appended -> printed by aws logs tail --follow: ${latencyMs.toFixed(0)} ms (no bound asserted)`);
      assert.equal(out.split("\n").filter((l) => l.includes("plain text line")).length, 1, `no line printed twice:\n${out}`);
    } finally {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGTERM");
      await exited;
    }
  });

  it("plain `aws logs tail` run twice 5 s apart still exits, even when the second run looks like a follower's poll", async (t) => {
    assert.ok(logsModule);
    const logs = logsModule;
    // The worst case: --since at exactly the newest event, so the second run's request is the
    // one `tail --follow` would send. It may be taken for a follower: then its paginator gets a
    // follow token, waits once (FOLLOW_HOLD_MS) and ends; no bound on the time is asserted.
    const newest = (Math.ceil(Date.now() / 1000) + 1) * 1000;
    logs.logSink.append(GROUP, instanceStream("c"), [{ timestamp: newest, message: "the newest line" }]);
    const since = new Date(newest).toISOString();
    const tail = (): Promise<{ ms: number; stdout: string; requests: number }> =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const before = logs.followStats().requests;
        execFile(AWS, ["logs", "tail", GROUP, "--since", since, "--format", "short", ...common()], { env: env(), timeout: 40_000 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`aws logs tail did not exit cleanly within 40 s: ${err.message}\n${stderr}`));
          else resolve({ ms: performance.now() - started, stdout, requests: logs.followStats().requests - before });
        });
      });
    const first = await tail();
    await new Promise((r) => setTimeout(r, 5_000));
    const second = await tail();
    for (const run of [first, second]) assert.match(run.stdout, /the newest line/);
    assert.equal(first.requests, 1);
    t.diagnostic(
      `plain tail: first run ${first.ms.toFixed(0)} ms, ${first.requests} request(s); second run ${second.ms.toFixed(0)} ms, ${second.requests} request(s)` +
        (second.requests > 1 ? " (taken for a follower: one held request, then it ended)" : ""),
    );
  });
});
