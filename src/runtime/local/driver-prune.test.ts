import { randomBytes } from "node:crypto";
import { SecretBox } from "../../iam/secret-box.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { ImageStore } from "../../images/types.js";
import { systemClock } from "../../util/clock.js";
import { cryptoRandom } from "../../util/random.js";
import { LocalRuntimeDriver } from "./driver.js";

// A delete prunes images; what open operations resolved and have not handed the driver yet
// (between the engine's artifact phase and the driver's deploy) must survive it.

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function driverWith(images: ImageStore, pendingImages?: () => Iterable<string>): LocalRuntimeDriver {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-prune-"));
  dirs.push(dir);
  return new LocalRuntimeDriver({
    runtimeDir: join(dir, "runtime"),
    layout: { prefix: "orprn", addressBlock: 250, instancesDir: join(dir, "runtime", "instances"), egress: false },
    images,
    clock: systemClock,
    random: cryptoRandom,
    logs: { append: () => undefined },
    serviceEvent: () => undefined,
    logger: () => undefined,
    sealer: SecretBox.fromKey(randomBytes(32)),
    ...(pendingImages ? { pendingImages } : {}),
  });
}

/** An image store that only answers prune, with what it was asked to keep. */
function pruneRecorder(): { images: ImageStore; kept: Promise<ReadonlySet<string>> } {
  let done: (keep: ReadonlySet<string>) => void = () => undefined;
  const kept = new Promise<ReadonlySet<string>>((ok) => (done = ok));
  const unused = (): Promise<never> => Promise.reject(new Error("not used by a delete"));
  const images: ImageStore = {
    resolve: unused,
    pull: unused,
    get: unused,
    using: (fn) => fn(),
    prune: async (keep) => {
      done(keep());
      return [];
    },
  };
  return { images, kept };
}

const ctx = { log: () => undefined, signal: new AbortController().signal };
const INDEX = `sha256:${"1".repeat(64)}`;
const MANIFEST = `sha256:${"2".repeat(64)}`;

describe("LocalRuntimeDriver.delete prunes images", () => {
  it("keeps the images open operations name (index and manifest digests)", async () => {
    const { images, kept } = pruneRecorder();
    await driverWith(images, () => [INDEX, MANIFEST]).delete("svc", ctx);
    assert.deepEqual([...(await kept)].sort(), [INDEX, MANIFEST]);
  });

  it("keeps nothing when no deployment and no open operation names an image", async () => {
    const { images, kept } = pruneRecorder();
    await driverWith(images).delete("svc", ctx);
    assert.deepEqual([...(await kept)], []);
  });
});
