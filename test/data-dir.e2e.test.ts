import { CreateServiceCommand, DeleteServiceCommand, ListServicesCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RuntimeApi } from "../src/router/runtime-api.js";
import { pushHelloApp } from "./support/app-images.js";
import { credentialsIn, eventually, spawnOpenRunner } from "./support/harness.js";
import { containerPid, LocalServer } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { recordedInstances, waitForStatus } from "./support/runtime-fixture.js";

const modeOf = (p: string): number => statSync(p).mode & 0o777;

/** Every byte SQLite keeps for a database: the file and its WAL. */
function databaseBytes(file: string): string {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString("latin1")).join("");
}

/** Files and directories of the data directory that hold secrets, environment values or app output, with their modes. */
function privateModes(dir: string): Record<string, string> {
  const out: Record<string, string> = { ".": modeOf(dir).toString(8) };
  const add = (p: string): void => {
    // An instance being created or removed right now may not have all its files.
    if (existsSync(p)) out[p.slice(dir.length + 1)] = modeOf(p).toString(8);
  };
  for (const name of readdirSync(dir)) if (lstatSync(join(dir, name)).isFile()) add(join(dir, name));
  const deployments = join(dir, "runtime", "deployments");
  add(deployments);
  for (const name of readdirSync(deployments)) add(join(deployments, name));
  const instances = join(dir, "runtime", "instances");
  for (const id of readdirSync(instances)) {
    for (const name of ["config.json", "instance.json", "container.json", "output.log"]) add(join(instances, id, name));
  }
  return out;
}

const wider = (modes: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(modes).filter(([, m]) => (parseInt(m, 8) & 0o077) !== 0));

describe("the data directory: one server at a time, private to the service account", () => {
  const srv = new LocalServer("openrunner-data-dir-");
  let registry: TestRegistry;
  let image = "";

  before(async () => {
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "latest", "v1");
    image = `${registry.host}/hello:latest`;
  });

  after(async () => {
    try {
      await srv.cleanup();
    } finally {
      await registry?.stop();
    }
  });

  const createService = async (client: AppRunnerClient, name: string, env: Record<string, string> = {}): Promise<{ arn: string; host: string; serviceId: string }> => {
    const created = await client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080", RuntimeEnvironmentVariables: env } },
        },
      }),
    );
    const arn = created.Service?.ServiceArn ?? "";
    await waitForStatus(client, arn, "RUNNING");
    return { arn, host: created.Service?.ServiceUrl ?? "", serviceId: created.Service?.ServiceId ?? "" };
  };

  it("a second openrunner up is refused before it touches anything; after kill -9 of the first a new one starts", async () => {
    const apiPort = await freePort();
    let client = await srv.start({}, apiPort);
    const firstPid = srv.current?.server.child.pid;
    const svc = await createService(client, "locked");
    assert.equal((await srv.via(svc.host)).body, "v1");
    const [instance] = recordedInstances(srv.data.dir, srv.block).filter((i) => i.serviceId === svc.serviceId);
    assert.ok(instance);
    const appPid = containerPid(instance.containerId);

    // The same flags, the same API port: before the lock it failed on EADDRINUSE after tearing down the first one's runtime.
    await assert.rejects(spawnOpenRunner(await srv.args(apiPort)), (err: Error) => {
      assert.match(err.message, /exited with 1/);
      assert.match(err.message, new RegExp(`data directory ${srv.data.dir} is in use by another OpenRunner \\(PID ${firstPid}\\)`));
      assert.doesNotMatch(err.message, /EADDRINUSE/);
      return true;
    });

    // The first one is untouched: HAProxy's sockets (autoscaler, request counters) answer, the app runs as the same process.
    assert.match(await new RuntimeApi(join(srv.data.dir, "router", "admin.sock")).command("show info"), /^Pid: \d+$/m);
    assert.match(await new RuntimeApi(join(srv.data.dir, "router", "master.sock")).command("show proc"), /master/);
    assert.equal(containerPid(instance.containerId), appPid);
    assert.equal((await srv.via(svc.host)).body, "v1");
    assert.ok((await client.send(new ListServicesCommand({}))).ServiceSummaryList?.some((s) => s.ServiceArn === svc.arn));

    // kill -9 frees the lock with the process: the next start takes the directory over.
    await srv.stop("SIGKILL");
    client = await srv.start({}, apiPort);
    assert.equal((await srv.via(svc.host)).body, "v1");
    await client.send(new DeleteServiceCommand({ ServiceArn: svc.arn }));
    await eventually(async () => (recordedInstances(srv.data.dir, srv.block).length === 0 ? true : undefined), 30_000, 100);
  });

  it("after a service runs, files are 0600 and directories 0700, and openrunner.db holds no secret key nor environment value in clear", async () => {
    const client = srv.current?.client ?? (await srv.start());
    const value = `env-value-${Date.now().toString(36)}-must-stay-private`;
    const svc = await createService(client, "private", { MESSAGE: value });
    assert.equal((await srv.via(svc.host, "/cgi-bin/env")).body, `MESSAGE=${value}`, "the sealed value still reaches the app");

    const modes = privateModes(srv.data.dir);
    for (const f of ["openrunner.db", "logs.db", "trail.db", "metrics.db", "credentials", "secret.key"]) assert.ok(f in modes, f);
    assert.deepEqual(wider(modes), {}, JSON.stringify(modes));
    assert.equal(modes["."], "700");

    const bytes = databaseBytes(join(srv.data.dir, "openrunner.db"));
    assert.equal(bytes.includes(credentialsIn(srv.data.dir).secretAccessKey), false, "the root secret key is sealed");
    assert.equal(bytes.includes(value), false, "environment values are sealed");

    // A data directory an older version left readable (0755, 0644) is narrowed at the next start.
    await srv.stop("SIGTERM");
    chmodSync(srv.data.dir, 0o755);
    for (const f of ["openrunner.db", "credentials", "trail.db"]) chmodSync(join(srv.data.dir, f), 0o644);
    const restarted = await srv.start();
    assert.deepEqual(wider(privateModes(srv.data.dir)), {});
    await restarted.send(new DeleteServiceCommand({ ServiceArn: svc.arn }));
    await eventually(async () => (recordedInstances(srv.data.dir, srv.block).length === 0 ? true : undefined), 30_000, 100);
  });
});
