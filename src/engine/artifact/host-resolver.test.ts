import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageStore, PullOptions, UnpackedImage } from "../../images/types.js";
import { HostArtifactResolver } from "./host-resolver.js";
import { SECRET_REFERENCES_LABEL, secretReferencesOfImage } from "../../builder/types.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ArtifactRequest, ArtifactStep, BuildOfService, BuiltImageKeeper, PullRequestOfService } from "./types.js";

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
  it("asks the access role before it pulls an image service's image, and pulls nothing when it may not", async () => {
    const { images, pulls } = store();
    const asked: PullRequestOfService[] = [];
    const ecr: ArtifactRequest = {
      ...imageService,
      operationId: "op1",
      source: { AuthenticationConfiguration: { AccessRoleArn: "arn:aws:iam::1:role/r" }, ImageRepository: { ImageIdentifier: "1.dkr.ecr.us-east-1.amazonaws.com/web:v1", ImageRepositoryType: "ECR" } },
    };
    const allowing = new HostArtifactResolver({ images, pullAccess: { check: (r) => void asked.push(r) } });
    await allowing.resolve(ecr, context());
    assert.deepEqual(asked, [{ identifier: "1.dkr.ecr.us-east-1.amazonaws.com/web:v1", repositoryType: "ECR", accessRoleArn: "arn:aws:iam::1:role/r", serviceName: "web", deploymentId: "op1" }]);
    assert.equal(pulls.length, 1);
    const refusing = new HostArtifactResolver({
      images,
      pullAccess: {
        check: () => {
          throw new AppRunnerError("ImageAccessDenied", "The access role arn:aws:iam::1:role/r cannot pull ...");
        },
      },
    });
    await assert.rejects(refusing.resolve(ecr, context()), { code: "ImageAccessDenied" });
    assert.equal(pulls.length, 1, "nothing pulled");
  });

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

  it("a rollback of a code service finds its deployment's image by digest and says so; builds nothing", async () => {
    const { images, pulls } = store();
    const ctx = context();
    const builder = { build: () => Promise.reject(new Error("no build on rollback")), cleanup: () => Promise.resolve() };
    const resolver = new HostArtifactResolver({ images, builder: builder as never });
    const a = await resolver.resolve({ ...codeService, pinnedDigest: MANIFEST, pinnedFor: "rollback" }, ctx);
    assert.equal(a.digest, MANIFEST);
    assert.deepEqual(pulls, []);
    assert.ok(ctx.lines.some((l) => l.includes(`Rolling back with the image built for that deployment (${MANIFEST}), found on this host: no build.`)), ctx.lines.join("\n"));
    const gone = `sha256:${"3".repeat(64)}`;
    await assert.rejects(resolver.resolve({ ...codeService, pinnedDigest: gone, pinnedFor: "rollback" }, context()), /The image built for that deployment \(sha256:3+\) is no longer on this host/);
  });

  it("a built image's secret references travel with the artifact, from its label, on a build and on a resume; an image service's label is not read", async () => {
    const references = { DB_PASSWORD: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", API_KEY: "/app/api-key" };
    const labelled: UnpackedImage = { ...unpacked, config: { ...unpacked.config, labels: { [SECRET_REFERENCES_LABEL]: JSON.stringify(references) } } };
    const images: ImageStore = { ...store().images, get: () => Promise.resolve(labelled), pull: (_id, opts = {}) => Promise.resolve({ resolvedDigest: opts.digest ?? INDEX, image: labelled }) };
    const builder = { build: () => Promise.resolve({ pulled: { resolvedDigest: MANIFEST, image: labelled }, commit: "c0ffee" }), cleanup: () => Promise.resolve() };
    const resolver = new HostArtifactResolver({ images, builder: builder as never });
    assert.deepEqual((await resolver.resolve(codeService, context())).secrets, references, "a build");
    assert.deepEqual((await resolver.resolve({ ...codeService, pinnedDigest: MANIFEST }, context())).secrets, references, "a resume");
    assert.equal((await resolver.resolve(imageService, context())).secrets, undefined, "an image service's secrets are its ImageConfiguration's");
    const table: [label: string | undefined, refs: Record<string, string>][] = [
      [undefined, {}],
      ["not json", {}],
      ["[1]", {}],
      [JSON.stringify({ A: "/a", B: 1 }), { A: "/a" }],
    ];
    for (const [label, refs] of table) assert.deepEqual(secretReferencesOfImage(label === undefined ? {} : { [SECRET_REFERENCES_LABEL]: label }), refs, String(label));
  });

  describe("with a keeper (the built-in registry)", () => {
    const REGISTRY = "127.0.0.1:8601";
    /** Keeps in memory what it was given; `fails` makes every keep throw. */
    function keeper(fails?: Error): BuiltImageKeeper & { kept: [BuildOfService, string][]; forgotten: string[] } {
      const kept: [BuildOfService, string][] = [];
      const forgotten: string[] = [];
      return {
        kept,
        forgotten,
        identifierOf: (s, digest) => `${REGISTRY}/apprunner/${s.serviceName}/${s.serviceId}@${digest}`,
        keep(build, digest, ctx) {
          if (fails) return Promise.reject(fails);
          kept.push([build, digest]);
          ctx.log(`[AppRunner] Kept the image as ${REGISTRY}/apprunner/${build.serviceName}/${build.serviceId}:${build.deploymentId}`);
          return Promise.resolve(this.identifierOf(build, digest));
        },
        forget: (serviceId) => Promise.resolve(void forgotten.push(serviceId)),
      };
    }
    const built = { build: () => Promise.resolve({ pulled: { resolvedDigest: MANIFEST, image: unpacked }, commit: "c0ffee" }), cleanup: () => Promise.resolve() };

    it("keeps each build under the operation's id, in the push step, and names the image where it was kept", async () => {
      const { images } = store();
      const k = keeper();
      const ctx = context();
      const a = await new HostArtifactResolver({ images, builder: built as never, keeper: k }).resolve({ ...codeService, operationId: "op7" }, ctx);
      assert.deepEqual(a, { identifier: `${REGISTRY}/apprunner/web/s1@${MANIFEST}`, digest: MANIFEST, manifestDigest: MANIFEST, port: 3000, commit: "c0ffee" });
      assert.deepEqual(k.kept, [[{ serviceId: "s1", serviceName: "web", deploymentId: "op7" }, MANIFEST]]);
      assert.deepEqual(ctx.steps, ["push"]);
      assert.ok(ctx.lines.some((l) => l.includes("Kept the image as 127.0.0.1:8601/apprunner/web/s1:op7")));
    });

    it("a registry that cannot take the image leaves it on this host, with a warning, and the deployment goes on", async () => {
      const { images } = store();
      const ctx = context();
      const resolver = new HostArtifactResolver({ images, builder: built as never, keeper: keeper(new Error("HTTP 503")) });
      const a = await resolver.resolve({ ...codeService, serviceName: "Web_App" }, ctx);
      assert.equal(a.identifier, `openrunner.local/web-app@${MANIFEST}`, "a reference, whatever the service's name");
      assert.ok(ctx.lines.some((l) => l.includes("Warning: the built image could not be kept in the built-in registry (HTTP 503)")), ctx.lines.join("\n"));
    });

    it("a resume whose image left this host pulls exactly that digest from the service's repository, and tags it again", async () => {
      const { images, pulls } = store();
      const k = keeper();
      const gone = `sha256:${"3".repeat(64)}`;
      const ctx = context();
      const resolver = new HostArtifactResolver({ images, builder: built as never, keeper: k });
      const a = await resolver.resolve({ ...codeService, pinnedDigest: gone, operationId: "op8" }, ctx);
      assert.deepEqual(pulls, [{ identifier: `${REGISTRY}/apprunner/web/s1@${gone}`, digest: gone }]);
      assert.deepEqual(ctx.steps, ["pull", "push"]);
      assert.equal(a.identifier, `${REGISTRY}/apprunner/web/s1@${MANIFEST}`);
      assert.ok(ctx.lines.some((l) => l.includes(`pulled from ${REGISTRY}/apprunner/web/s1@${gone}`)));
    });

    it("a resume whose image is nowhere fails with both reasons", async () => {
      const { images } = store();
      images.pull = () => Promise.reject(new Error("MANIFEST_UNKNOWN"));
      const gone = `sha256:${"3".repeat(64)}`;
      const resolver = new HostArtifactResolver({ images, builder: built as never, keeper: keeper() });
      await assert.rejects(resolver.resolve({ ...codeService, pinnedDigest: gone }, context()), /no longer on this host, and pulling it from .* failed: MANIFEST_UNKNOWN/);
    });

    it("forgetting a deleted service removes its kept images too", async () => {
      const { images } = store();
      const k = keeper();
      await new HostArtifactResolver({ images, builder: built as never, keeper: k }).forget("s1");
      assert.deepEqual(k.forgotten, ["s1"]);
    });
  });
});
