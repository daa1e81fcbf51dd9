import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageToPush } from "../registry/built-in.js";
import { Store } from "../store/store.js";
import { buildRepositories, serviceBuildRepository } from "./build-repositories.js";
import { repositoryArn, repositoryNameProblem } from "./names.js";
import { RepositoryStore } from "./repository-store.js";

const ID = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";
const DIGEST = `sha256:${"2".repeat(64)}`;
const scope = { region: "us-east-1", accountId: "123456789012" };

describe("build repositories (where source builds keep their images)", () => {
  it("names one repository per service: the name as an ECR path component, then the id", () => {
    const table: [string, string][] = [
      ["web", `apprunner/web/${ID}`],
      ["My_Service", `apprunner/my-service/${ID}`],
      ["api--v2__x-_y", `apprunner/api-v2-x-y/${ID}`],
      ["svc_", `apprunner/svc/${ID}`],
      ["A1-B2", `apprunner/a1-b2/${ID}`],
      [`a${"_b".repeat(19)}`, `apprunner/a${"-b".repeat(19)}/${ID}`],
    ];
    for (const [name, expected] of table) {
      assert.equal(serviceBuildRepository(name, ID), expected, name);
      assert.equal(repositoryNameProblem(expected), undefined, expected);
    }
  });

  function fixture(): { store: Store; pushes: [string, string][]; deleted: string[]; keeper: ReturnType<typeof buildRepositories>; lines: string[] } {
    const store = Store.open(":memory:");
    const pushes: [string, string][] = [];
    const deleted: string[] = [];
    const lines: string[] = [];
    const image: ImageToPush = { manifest: { mediaType: "application/vnd.oci.image.manifest.v1+json", body: Buffer.from("{}") }, blobs: [] };
    const keeper = buildRepositories({
      registry: {
        address: "127.0.0.1:8601",
        pushImage: (repository, tag) => Promise.resolve(String(pushes.push([repository, tag]) && DIGEST)),
        deleteRepository: (name) => Promise.resolve(void deleted.push(name)),
      },
      images: { storedManifest: (d) => Promise.resolve(d === DIGEST ? image : undefined) },
      store,
      config: scope,
      clock: { now: () => 1_700_000_000_000 },
    });
    return { store, pushes, deleted, keeper, lines };
  }

  it("the first build makes the repository (MUTABLE, AES256), each deployment tags its image, and the image is named where it was kept", async () => {
    const { store, pushes, keeper, lines } = fixture();
    const ctx = { log: (l: string) => void lines.push(l) };
    const id = await keeper.keep({ serviceId: ID, serviceName: "Web_App", deploymentId: "op1" }, DIGEST, ctx);
    await keeper.keep({ serviceId: ID, serviceName: "Web_App", deploymentId: "op2" }, DIGEST, ctx);
    const name = `apprunner/web-app/${ID}`;
    assert.equal(id, `127.0.0.1:8601/${name}@${DIGEST}`);
    assert.deepEqual(pushes, [[name, "op1"], [name, "op2"]]);
    const row = new RepositoryStore(store, "us-east-1").get(name);
    assert.deepEqual([row?.tagMutability, row?.encryption, row?.createdAt], ["MUTABLE", { encryptionType: "AES256" }, 1_700_000_000_000]);
    assert.match(lines[0] ?? "", new RegExp(`Kept the image in the built-in registry as 127.0.0.1:8601/${name}:op1 \\(${DIGEST}\\)`));
    await assert.rejects(keeper.keep({ serviceId: ID, serviceName: "Web_App", deploymentId: "op3" }, `sha256:${"9".repeat(64)}`, ctx), /not whole in this host's image store/);
  });

  it("forgetting a service deletes its build repository, its images and its tags, and nothing of another service or a user's", async () => {
    const { store, deleted, keeper } = fixture();
    const ctx = { log: (): void => undefined };
    await keeper.keep({ serviceId: ID, serviceName: "web", deploymentId: "op1" }, DIGEST, ctx);
    await keeper.keep({ serviceId: OTHER, serviceName: "web", deploymentId: "op1" }, DIGEST, ctx);
    const repositories = new RepositoryStore(store, "us-east-1");
    repositories.insert({ name: `mine/${ID}`, createdAt: 1, tagMutability: "MUTABLE", scanOnPush: false, encryption: { encryptionType: "AES256" } });
    store.tags.put(repositoryArn(scope, `apprunner/web/${ID}`), [{ Key: "team", Value: "a" }]);
    await keeper.forget(ID);
    assert.deepEqual(deleted, [`apprunner/web/${ID}`]);
    assert.deepEqual(repositories.list().map((r) => r.name), [`apprunner/web/${OTHER}`, `mine/${ID}`]);
    assert.equal(store.tags.count(repositoryArn(scope, `apprunner/web/${ID}`)), 0);
    await keeper.forget(ID);
    assert.deepEqual(deleted, [`apprunner/web/${ID}`], "nothing left to delete");
  });
});
