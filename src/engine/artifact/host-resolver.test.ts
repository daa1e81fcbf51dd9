import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageStore, PullOptions, UnpackedImage } from "../../images/types.js";
import { HostArtifactResolver } from "./host-resolver.js";
import type { ArtifactRequest, ArtifactStep } from "./types.js";

const INDEX = `sha256:${"1".repeat(64)}`;
const MANIFEST = `sha256:${"2".repeat(64)}`;

const unpacked: UnpackedImage = {
  manifestDigest: MANIFEST,
  rootfs: "/images/unpacked/2/rootfs",
  config: { entrypoint: [], cmd: ["node", "server.js"], env: [], workingDir: "/app", user: "", exposedPorts: [3000] },
  sizeBytes: 1,
};

/** An image store with one image (by index and manifest digest); pulls are recorded. */
function store(): { images: ImageStore; pulls: { identifier: string; digest?: string }[] } {
  const pulls: { identifier: string; digest?: string }[] = [];
  const images: ImageStore = {
    resolve: () => Promise.resolve(INDEX),
    pull: (identifier: string, opts: PullOptions = {}) => {
      pulls.push({ identifier, ...(opts.digest ? { digest: opts.digest } : {}) });
      return Promise.resolve({ resolvedDigest: opts.digest ?? INDEX, image: unpacked });
    },
    get: (digest) => Promise.resolve(digest === INDEX || digest === MANIFEST ? unpacked : undefined),
    using: (fn) => fn(),
    prune: () => Promise.resolve([]),
  };
  return { images, pulls };
}

const imageService: ArtifactRequest = {
  serviceId: "s1",
  serviceName: "web",
  deploymentId: "d1",
  source: { ImageRepository: { ImageIdentifier: "127.0.0.1:5000/web:latest", ImageRepositoryType: "ECR_PUBLIC" } },
  instance: {},
};
const codeService: ArtifactRequest = {
  ...imageService,
  source: { CodeRepository: { RepositoryUrl: "https://git.example/web", SourceCodeVersion: { Type: "BRANCH", Value: "main" } } },
};

function context(): { lines: string[]; steps: ArtifactStep[]; log: (l: string) => void; step: (s: ArtifactStep) => void; signal: AbortSignal } {
  const lines: string[] = [];
  const steps: ArtifactStep[] = [];
  return { lines, steps, log: (l) => void lines.push(l), step: (s) => void steps.push(s), signal: new AbortController().signal };
}

describe("HostArtifactResolver", () => {
  it("pulls an image service's image, in the pull step, and names it by its identifier", async () => {
    const { images, pulls } = store();
    const ctx = context();
    const a = await new HostArtifactResolver({ images }).resolve(imageService, ctx);
    assert.deepEqual(a, { identifier: "127.0.0.1:5000/web:latest", digest: INDEX, manifestDigest: MANIFEST });
    assert.deepEqual(pulls, [{ identifier: "127.0.0.1:5000/web:latest" }]);
    assert.deepEqual(ctx.steps, ["pull"]);
  });

  it("a resume of an image service pulls exactly the pinned digest", async () => {
    const { images, pulls } = store();
    const a = await new HostArtifactResolver({ images }).resolve({ ...imageService, pinnedDigest: MANIFEST }, context());
    assert.equal(a.digest, MANIFEST);
    assert.deepEqual(pulls, [{ identifier: "127.0.0.1:5000/web:latest", digest: MANIFEST }]);
  });

  it("a code service fails clearly on a host that cannot build", async () => {
    const { images } = store();
    await assert.rejects(new HostArtifactResolver({ images }).resolve(codeService, context()), /Building source code is not available on this host/);
  });

  it("a resume of a code service finds the image built before the pause, with its port, and builds nothing", async () => {
    const { images, pulls } = store();
    const ctx = context();
    const builder = { build: () => Promise.reject(new Error("no build on resume")), cleanup: () => Promise.resolve() };
    const resolver = new HostArtifactResolver({ images, builder: builder as never });
    const a = await resolver.resolve({ ...codeService, pinnedDigest: MANIFEST }, ctx);
    assert.deepEqual(a, { identifier: `openrunner.local/web@${MANIFEST}`, digest: MANIFEST, manifestDigest: MANIFEST, port: 3000 });
    assert.deepEqual(pulls, []);
    assert.ok(ctx.lines.some((l) => l.includes("Resuming with the image built before the pause")));
    const gone = `sha256:${"3".repeat(64)}`;
    await assert.rejects(resolver.resolve({ ...codeService, pinnedDigest: gone }, context()), new RegExp(`The image built before the pause \\(${gone}\\) is no longer on this host`));
  });
});
