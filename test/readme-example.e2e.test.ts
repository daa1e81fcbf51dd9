import { DeleteServiceCommand, ListServicesCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { AWS_CLI, awsCliEnv } from "./support/aws-cli.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { LocalServer } from "./support/local-server.js";
import { waitForStatus } from "./support/runtime-fixture.js";

const README = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "README.md");
const MARKER = "<!-- readme-example:";

/** Pure: the shell block right after the README's example marker, as a user copies it. */
function readmeExample(readme: string): string {
  const at = readme.indexOf(MARKER);
  assert.ok(at >= 0, "the README marks its first example");
  const open = readme.indexOf("```sh\n", at);
  const close = readme.indexOf("\n```", open + 6);
  assert.ok(open > at && close > open, "a sh block follows the marker");
  return readme.slice(open + 6, close + 1);
}

/** bash, never throwing: exit code and output. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile("bash", ["-euo", "pipefail", "-c", script], { cwd, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/**
 * The README's first example, run as written on this machine against a real `openrunner up`
 * (only its ports and data directory changed to the test's): a repository, an image built and
 * pushed with buildah to the built-in registry, a service from its ECR name that serves.
 */
describe("the README's first example", { timeout: 10 * 60_000, skip: skipUnlessOnPath("buildah", "docker-registry", "runc") }, () => {
  const srv = new LocalServer("openrunner-readme-", { registry: true });
  const work = mkdtempSync(join(tmpdir(), "openrunner-readme-work-"));
  let client: AppRunnerClient;

  before(async () => {
    client = await srv.start();
  });

  after(async () => {
    try {
      const services = (await client?.send(new ListServicesCommand({})))?.ServiceSummaryList ?? [];
      for (const s of services) await client.send(new DeleteServiceCommand({ ServiceArn: s.ServiceArn })).catch(() => undefined);
      await srv.stop("SIGTERM");
      await srv.cleanup();
    } finally {
      // vfs storage: buildah leaves no mounts behind, only files.
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("builds, pushes and serves an image with no outside registry", async () => {
    const endpoint = srv.current?.server.endpoint ?? "";
    const script = readmeExample(readFileSync(README, "utf8"))
      .replaceAll("$PWD/.openrunner", srv.data.dir)
      .replaceAll("http://127.0.0.1:8600", endpoint)
      .replaceAll("127.0.0.1:8601", `127.0.0.1:${srv.registryPort}`);
    // The user's machine as `npm run up` leaves it: AWS CLI v2 as `aws`; buildah's storage and
    // logins kept in the test's own directory instead of the machine's.
    const bin = join(work, "bin");
    mkdirSync(bin);
    symlinkSync(AWS_CLI, join(bin, "aws"));
    const storageConf = join(work, "storage.conf");
    writeFileSync(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${join(work, "storage")}"\nrunroot = "${join(work, "run")}"\n`);
    const env = awsCliEnv(
      { credentials: join(srv.data.dir, "credentials"), config: join(srv.data.dir, "config") },
      { PATH: `${bin}:${process.env.PATH ?? ""}`, CONTAINERS_STORAGE_CONF: storageConf, REGISTRY_AUTH_FILE: join(work, "auth.json") },
    );
    const ran = await bash(script, work, env);
    assert.equal(ran.code, 0, ran.out);

    const summary = (await client.send(new ListServicesCommand({}))).ServiceSummaryList?.find((s) => s.ServiceName === "hello");
    assert.ok(summary?.ServiceArn, ran.out);
    const service = await waitForStatus(client, summary.ServiceArn, "RUNNING", 120_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${srv.current?.server.output().slice(-4000) ?? ""}`);
    });
    assert.equal((await srv.via(service.ServiceUrl ?? "")).body, "Hello from OpenRunner");
  });
});
