/**
 * The contract every RuntimeDriver must meet, as node:test cases. A driver's test file calls
 *
 *   runDriverConformance("local", async () => ({ driver, image, serving, teardown, leftovers }));
 *
 * and the suite deploys real images through the driver and checks them over HTTP. A driver is
 * handed images the engine has resolved (a digest), never a tag, source code or a build. Each case
 * makes its own service (fresh ids) and removes it at the end, so cases are independent; all
 * waiting is polling against generous deadlines, never an assertion about speed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { newResourceId } from "../domain/arns.js";
import { cryptoRandom } from "../util/random.js";
import type { DeploymentImage, DeploymentRef, DeploymentSpec, DriverContext, RuntimeDriver } from "./driver.js";
import type { RecordingRouter } from "./recording-router.js";

export { RecordingRouter } from "./recording-router.js";

/**
 * Images the suite deploys:
 * - "hello" listens on $PORT and answers `GET /` with 200 and a body containing `version`;
 * - "crash" prints CRASH_OUTPUT (to stdout or stderr) and exits at once with code 3;
 * - "silent" runs forever and never listens on any port.
 */
export type ConformanceImage = "hello" | "crash" | "silent";

/** What the "crash" image prints before it exits, so the suite can find it in the log. */
export const CRASH_OUTPUT = "fatal: cannot read configuration";

export interface ServingInstance {
  /** A loopback address the test process can connect to. */
  address: string;
  port: number;
}

export interface ConformanceHarness {
  driver: RuntimeDriver;
  /**
   * An image resolved as the engine's artifact phase resolves it for this driver (pulled where
   * the driver runs images), with its digest. `version` (default "v1") matters for "hello" only.
   */
  image(kind: ConformanceImage, version?: string): Promise<DeploymentImage>;
  /** Where the service's running instances can be reached (every deployment, not only the serving one). */
  serving(serviceId: string): Promise<ServingInstance[]>;
  /** Host resources the driver left behind (containers, networks, mounts...): empty after delete. */
  leftovers(): Promise<string[]>;
  teardown(): Promise<void>;
  /** The router the driver was given, when it is a RecordingRouter: the split cases need it. */
  router?: RecordingRouter;
}

interface TestContext extends DriverContext {
  lines: string[];
  controller: AbortController;
}

const DEADLINE_MS = 60_000;

function context(): TestContext {
  const controller = new AbortController();
  const lines: string[] = [];
  return { lines, controller, signal: controller.signal, log: (line) => void lines.push(line) };
}

export interface TestService {
  serviceId: string;
  serviceName: string;
  serviceArn: string;
}

/** A service of its own for one test (ids random, so tests run side by side). */
export function newService(): TestService {
  const serviceId = newResourceId(cryptoRandom);
  const serviceName = `conformance-${serviceId.slice(0, 8)}`;
  return { serviceId, serviceName, serviceArn: `arn:aws:apprunner:us-east-1:000000000000:service/${serviceName}/${serviceId}` };
}

/** A deployment of one instance with a TCP health check, as a test hands it to a driver. */
export function specFor(service: TestService, image: DeploymentImage, extra: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return {
    ...service,
    deploymentId: newResourceId(cryptoRandom),
    operationId: newResourceId(cryptoRandom),
    image,
    run: { Port: "8080" },
    instance: { Cpu: "1024", Memory: "2048" },
    healthCheck: { Protocol: "TCP", Interval: 1, Timeout: 2, HealthyThreshold: 1, UnhealthyThreshold: 5 },
    autoScaling: { minSize: 1, maxSize: 1, maxConcurrency: 100 },
    hosts: [`${service.serviceId.slice(0, 10)}.us-east-1.openrunner.localhost`],
    tracing: false,
    ...extra,
  };
}

const ref = (spec: DeploymentSpec): DeploymentRef => ({ serviceId: spec.serviceId, deploymentId: spec.deploymentId });

/** Polls until `check` returns a value; throws with the last error or value once the deadline passes. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = DEADLINE_MS): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > until) throw new Error(`${what}: not true after ${timeoutMs} ms${last ? ` (last error: ${last})` : ""}`);
    await sleep(100);
  }
}

async function get(i: ServingInstance): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${i.address}:${i.port}/`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.text() };
}

/** Bodies of every instance serving; throws if one does not answer 200. */
async function bodies(h: ConformanceHarness, serviceId: string): Promise<string[]> {
  const out: string[] = [];
  for (const i of await h.serving(serviceId)) {
    const r = await get(i);
    if (r.status !== 200) throw new Error(`${i.address}:${i.port} answered ${r.status}`);
    out.push(r.body.trim());
  }
  return out.sort();
}

/** Whether `p` settles (either way) within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = p.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  throw new assert.AssertionError({ message: "expected a rejection, but it resolved" });
}

export function runDriverConformance(
  name: string,
  setup: () => Promise<ConformanceHarness>,
  options: { skip?: string | false } = {},
): void {
  describe(`RuntimeDriver conformance: ${name}`, { skip: options.skip ?? false }, () => {
    let h: ConformanceHarness | undefined;
    const services: string[] = [];

    const harness = (): ConformanceHarness => {
      if (!h) throw new Error("the conformance harness did not start");
      return h;
    };

    /** A fresh service, deleted after the suite even if its case failed half-way. */
    const service = (): TestService => {
      const s = newService();
      services.push(s.serviceId);
      return s;
    };

    /** deploy + waitHealthy + shiftTraffic, the engine's happy path. */
    const rollout = async (spec: DeploymentSpec, ctx: TestContext): Promise<string | undefined> => {
      const d = harness().driver;
      const result = await d.deploy(spec, ctx);
      await d.waitHealthy(ref(spec), ctx);
      await d.shiftTraffic(ref(spec), ctx);
      return result.imageDigest;
    };

    before(async () => {
      h = await setup();
    });

    after(async () => {
      if (!h) return;
      try {
        for (const id of services) await h.driver.delete(id, context()).catch(() => undefined);
      } finally {
        await h.teardown();
      }
    });

    it("deploy, waitHealthy and shiftTraffic: instances answer 200 and the digest is sha256", async () => {
      const s = service();
      const ctx = context();
      const spec = specFor(s, await harness().image("hello", "v1"));
      const digest = await rollout(spec, ctx);
      assert.match(digest ?? "", /^sha256:[0-9a-f]{64}$/, "deploy returns the image digest");
      const got = await eventually("the instance answers 200", async () => {
        const b = await bodies(harness(), s.serviceId);
        return b.length > 0 ? b : undefined;
      });
      for (const body of got) assert.match(body, /v1/);
      await harness().driver.delete(s.serviceId, ctx);
    });

    it("deploy is idempotent: the same deploymentId twice starts one set of instances", async () => {
      const s = service();
      const ctx = context();
      const spec = specFor(s, await harness().image("hello", "v1"));
      const first = await harness().driver.deploy(spec, ctx);
      const second = await harness().driver.deploy(spec, ctx);
      assert.equal(second.imageDigest, first.imageDigest);
      await harness().driver.waitHealthy(ref(spec), ctx);
      await harness().driver.shiftTraffic(ref(spec), ctx);
      assert.equal((await harness().serving(s.serviceId)).length, 1, "minSize 1 means one instance");
      // Any instance a second deploy started would show up by now or never: look a few times.
      for (let i = 0; i < 5; i++) {
        await sleep(200);
        assert.equal((await harness().serving(s.serviceId)).length, 1);
      }
      assert.deepEqual(await bodies(harness(), s.serviceId), ["v1"]);
      await harness().driver.delete(s.serviceId, ctx);
    });

    it("blue/green: a new deployment runs beside the old one until the old one is retired", async () => {
      const s = service();
      const ctx = context();
      const blue = specFor(s, await harness().image("hello", "v1"));
      const green = specFor(s, await harness().image("hello", "v2"));
      await rollout(blue, ctx);
      await eventually("blue serves", async () => ((await bodies(harness(), s.serviceId)).join() === "v1" ? true : undefined));
      await harness().driver.deploy(green, ctx);
      await harness().driver.waitHealthy(ref(green), ctx);
      await eventually("blue and green both run", async () =>
        (await bodies(harness(), s.serviceId)).join() === "v1,v2" ? true : undefined,
      );
      await harness().driver.shiftTraffic(ref(green), ctx);
      // Shifting traffic alone stops nothing: blue stays up until retired (so requests in flight finish).
      assert.deepEqual(await bodies(harness(), s.serviceId), ["v1", "v2"]);
      await harness().driver.retire(ref(blue), ctx);
      await eventually("only green serves", async () => ((await bodies(harness(), s.serviceId)).join() === "v2" ? true : undefined));
      await harness().driver.delete(s.serviceId, ctx);
    });

    it("a crashing image: waitHealthy says it exited with code 3 and logs its output; retire cleans up", async () => {
      const s = service();
      const ctx = context();
      const spec = specFor(s, await harness().image("crash"));
      await harness().driver.deploy(spec, ctx);
      const err = await rejection(harness().driver.waitHealthy(ref(spec), ctx));
      assert.match(err.message, /exited with code 3/);
      assert.ok(
        ctx.lines.some((l) => l.includes(CRASH_OUTPUT)),
        `the deployment log shows the app's output; it has:\n${ctx.lines.join("\n")}`,
      );
      await harness().driver.retire(ref(spec), ctx);
      await eventually("no instance is left", async () => ((await harness().serving(s.serviceId)).length === 0 ? true : undefined));
      await harness().driver.delete(s.serviceId, ctx);
    });

    it("pause stops every instance; a deploy pinned to the first digest brings the service back", async () => {
      const s = service();
      const ctx = context();
      const image = await harness().image("hello", "v1");
      const first = specFor(s, image);
      const digest = await rollout(first, ctx);
      assert.ok(digest, "deploy returns the digest to pin");
      const before = await eventually("the service serves", async () => {
        const i = await harness().serving(s.serviceId);
        return i.length > 0 ? i : undefined;
      });
      await harness().driver.pause(s.serviceId, ctx);
      assert.deepEqual(await harness().serving(s.serviceId), [], "no instance runs after pause");
      for (const i of before) {
        await eventually(`${i.address}:${i.port} stops answering`, async () => {
          try {
            await get(i);
            return undefined;
          } catch {
            return true;
          }
        });
      }
      const resumed = specFor(s, { identifier: image.identifier, digest });
      const again = await rollout(resumed, ctx);
      assert.equal(again, digest, "the pinned digest is what runs");
      await eventually("the resumed service serves", async () => ((await bodies(harness(), s.serviceId)).join() === "v1" ? true : undefined));
      await harness().driver.delete(s.serviceId, ctx);
    });

    it("delete removes everything the driver made", async () => {
      const s = service();
      const ctx = context();
      const blue = specFor(s, await harness().image("hello", "v1"));
      const green = specFor(s, await harness().image("hello", "v2"));
      await rollout(blue, ctx);
      // A second version still starting when the service is deleted.
      await harness().driver.deploy(green, ctx);
      await harness().driver.delete(s.serviceId, ctx);
      assert.deepEqual(await harness().serving(s.serviceId), []);
      const left = await eventually("no host resources are left", async () => {
        const l = await harness().leftovers();
        if (l.length > 0) throw new Error(l.join(", "));
        return l;
      });
      assert.deepEqual(left, []);
      // Deleting again is a no-op (the engine retries steps after a crash).
      await harness().driver.delete(s.serviceId, ctx);
    });

    it("splitTraffic: the new version takes a share beside the serving one; 0, shiftTraffic and retire end it", async (t) => {
      const { driver, router } = harness();
      if (!driver.splitTraffic || !router) {
        t.skip("the driver deploys all at once (no splitTraffic), or the harness gives it no RecordingRouter");
        return;
      }
      const s = service();
      const ctx = context();
      const blue = specFor(s, await harness().image("hello", "v1"));
      const green = specFor(s, await harness().image("hello", "v2"));
      await rollout(blue, ctx);
      await driver.deploy(green, ctx);
      await driver.waitHealthy(ref(green), ctx);
      const routeOf = () => router.routes.get(s.serviceId);
      const split = async (percent: number) => {
        await driver.splitTraffic?.(ref(green), percent, ctx);
        return eventually(`the route has a ${percent}% split with green's instance`, async () => {
          const r = routeOf();
          return r?.canary?.percent === percent && r.canary.instances.length === 1 && r.instances.length === 1 ? r : undefined;
        });
      };
      const first = await split(10);
      assert.deepEqual([first.canary?.deploymentId, first.canary?.servingDeploymentId], [green.deploymentId, blue.deploymentId]);
      await split(50);
      assert.deepEqual(await driver.measureSplit?.(ref(green), 60_000), router.measurement, "measurements come from the data plane");
      await driver.splitTraffic(ref(green), 0, ctx);
      assert.equal(routeOf()?.canary, undefined, "0 ends the split at once");
      await split(20);
      await driver.shiftTraffic(ref(green), ctx);
      assert.equal(routeOf()?.canary, undefined, "shiftTraffic ends the split");
      await driver.retire(ref(blue), ctx); // room for a third version on a small node
      // A second rollout that goes back: retiring the new version ends its split before it stops.
      const red = specFor(s, await harness().image("hello", "v1"));
      await driver.deploy(red, ctx);
      await driver.waitHealthy(ref(red), ctx);
      await driver.splitTraffic(ref(red), 30, ctx);
      await eventually("red has a split", async () => (routeOf()?.canary?.deploymentId === red.deploymentId ? true : undefined));
      await driver.retire(ref(red), ctx);
      assert.equal(routeOf()?.canary, undefined, "retiring the new version ends its split");
      await driver.delete(s.serviceId, ctx);
    });

    it("waitHealthy honours the abort signal while an instance is starting", async () => {
      const s = service();
      const ctx = context();
      const spec = specFor(s, await harness().image("silent"));
      await harness().driver.deploy(spec, ctx);
      const wait = harness().driver.waitHealthy(ref(spec), ctx);
      // Still waiting: the image never listens.
      assert.equal(await settlesWithin(wait, 1000), false, "waitHealthy is still waiting for an instance that never listens");
      ctx.controller.abort();
      assert.equal(await settlesWithin(wait, 15_000), true, "waitHealthy settles soon after the abort");
      const err = await rejection(wait);
      assert.doesNotMatch(err.message, /exited with code/);
      await harness().driver.retire(ref(spec), context());
      await eventually("no instance is left", async () => ((await harness().serving(s.serviceId)).length === 0 ? true : undefined));
      await harness().driver.delete(s.serviceId, context());
    });
  });
}
