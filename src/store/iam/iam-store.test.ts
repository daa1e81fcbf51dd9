import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Principal } from "../../iam/principal.js";
import { Store } from "../store.js";
import type { EntityKind, EntityRow } from "./entities.js";
import { storeIdentityPolicies } from "./identity-policies.js";
import { iamUniqueId } from "./ids.js";
import { storeRoleDirectory } from "./role-directory.js";

const ACCOUNT = "123456789012";

function entity(store: Store, kind: EntityKind, id: string, name: string, doc: Record<string, unknown> = {}): EntityRow {
  const row: EntityRow = { id, kind, name, path: "/", arn: `arn:aws:iam::${ACCOUNT}:${kind}/${name}`, createdAt: 1000, doc };
  store.iam.entities.insert(row);
  return row;
}

const userPrincipal = (u: EntityRow): Principal => ({ accessKeyId: "AKIAX", accountId: ACCOUNT, arn: u.arn, type: "IAMUser", userId: u.id, userName: u.name });

describe("IAM's unique ids", () => {
  it("are 21 characters of [A-Z2-7] with the kind's prefix", () => {
    const bytes = { bytes: (n: number) => Buffer.alloc(n, 255) };
    for (const prefix of ["AIDA", "AGPA", "AROA", "ANPA", "AIPA"] as const) {
      const id = iamUniqueId(bytes, prefix);
      assert.match(id, /^[A-Z2-7]{21}$/);
      assert.ok(id.startsWith(prefix));
    }
  });
});

describe("the IAM store", () => {
  it("names are unique per kind whatever their case, and found whatever their case", () => {
    const store = Store.open(":memory:");
    entity(store, "user", "AIDA1", "Alice");
    assert.equal(store.iam.entities.byName("user", "alice")?.id, "AIDA1");
    assert.throws(() => entity(store, "user", "AIDA2", "ALICE"), /UNIQUE/);
    entity(store, "role", "AROA1", "alice");
    assert.equal(store.iam.entities.list("user").length, 1);
    store.close();
  });

  it("every write moves the revision", () => {
    const store = Store.open(":memory:");
    const seen = [store.iam.revision.value()];
    const u = entity(store, "user", "AIDA1", "a");
    seen.push(store.iam.revision.value());
    store.iam.entities.putTags(u.id, [{ Key: "k", Value: "v" }]);
    seen.push(store.iam.revision.value());
    store.iam.inline.put(u.id, "p", "{}");
    seen.push(store.iam.revision.value());
    store.accessKeys.insert({ accessKeyId: "AKIA1", secretAccessKey: "s", principal: userPrincipal(u), createdAt: 1, ownerId: u.id });
    seen.push(store.iam.revision.value());
    store.accessKeys.setStatus("AKIA1", "Inactive");
    seen.push(store.iam.revision.value());
    assert.deepEqual(seen, [...new Set(seen)].sort((a, b) => a - b), `strictly increasing: ${seen.join(",")}`);
    store.close();
  });

  it("a user's policies: inline, attached managed (default version), and its groups'", () => {
    const store = Store.open(":memory:");
    const iam = store.iam;
    const u = entity(store, "user", "AIDA1", "a");
    const g = entity(store, "group", "AGPA1", "devs");
    const other = entity(store, "group", "AGPA2", "others");
    iam.inline.put(u.id, "own", "U");
    iam.policies.insert({ arn: "arn:aws:iam::aws:policy/P", id: "ANPA1", name: "P", path: "/", awsManaged: true, defaultVersion: "v1", nextVersion: 2, createdAt: 1, updatedAt: 1 }, "P1");
    iam.policies.putVersion("arn:aws:iam::aws:policy/P", { versionId: "v2", document: "P2", createdAt: 2 });
    iam.policies.attach(u.id, "arn:aws:iam::aws:policy/P");
    iam.inline.put(g.id, "team", "G");
    iam.inline.put(other.id, "not-mine", "O");
    iam.links.add("member", g.id, u.id);
    const source = storeIdentityPolicies(iam);
    assert.deepEqual(source.policiesOf(userPrincipal(u)), [
      { id: "inline:AIDA1:own", document: "U" },
      { id: "arn:aws:iam::aws:policy/P:v1", document: "P1" },
      { id: "inline:AGPA1:team", document: "G" },
    ]);
    const before = source.revision();
    iam.policies.update({ ...iam.policies.get("arn:aws:iam::aws:policy/P")!, defaultVersion: "v2" });
    assert.ok(source.revision() > before);
    assert.equal(source.policiesOf(userPrincipal(u))[1]?.document, "P2");
    assert.deepEqual(source.policiesOf({ accessKeyId: "AKIAR", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root" }), []);
    assert.deepEqual(source.policiesOf({ ...userPrincipal(u), userId: "AIDAGONE", userName: "gone" }), [], "a deleted user has none");
    store.close();
  });

  it("a role session's policies and tags are its role's; roles are found by ARN", () => {
    const store = Store.open(":memory:");
    const r = entity(store, "role", "AROA1", "deploy", { trustPolicy: "T", maxSessionDuration: 7200 });
    store.iam.inline.put(r.id, "p", "R");
    store.iam.entities.putTags(r.id, [{ Key: "team", Value: "ci" }]);
    const session: Principal = {
      accessKeyId: "ASIAX",
      accountId: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/s`,
      type: "AssumedRole",
      role: { arn: r.arn, name: r.name, id: r.id, sessionName: "s" },
    };
    const source = storeIdentityPolicies(store.iam);
    assert.deepEqual(source.policiesOf(session), [{ id: "inline:AROA1:p", document: "R" }]);
    assert.deepEqual(source.principalTags(session), { team: "ci" });
    assert.deepEqual(storeRoleDirectory(store.iam).roleByArn(r.arn), {
      arn: r.arn,
      name: "deploy",
      roleId: "AROA1",
      path: "/",
      trustPolicy: "T",
      maxSessionDuration: 7200,
      tags: { team: "ci" },
    });
    assert.equal(storeRoleDirectory(store.iam).roleByArn(`arn:aws:iam::${ACCOUNT}:role/other`), undefined);
    store.close();
  });
});

describe("access keys", () => {
  it("an inactive or deleted key is not found for signing at once, though it was cached", () => {
    const store = Store.open(":memory:");
    const u = entity(store, "user", "AIDA1", "a");
    store.accessKeys.insert({ accessKeyId: "AKIA1", secretAccessKey: "secret", principal: userPrincipal(u), createdAt: 1, ownerId: u.id });
    assert.equal(store.accessKeys.get("AKIA1")?.secretAccessKey, "secret");
    store.accessKeys.setStatus("AKIA1", "Inactive");
    assert.equal(store.accessKeys.get("AKIA1"), undefined);
    assert.equal(store.accessKeys.info("AKIA1")?.status, "Inactive", "IAM still lists it");
    store.accessKeys.setStatus("AKIA1", "Active");
    assert.ok(store.accessKeys.get("AKIA1"));
    store.accessKeys.delete("AKIA1");
    assert.equal(store.accessKeys.get("AKIA1"), undefined);
    store.close();
  });

  it("the root key stays the first key, whatever keys users get", () => {
    const store = Store.open(":memory:");
    const root: Principal = { accessKeyId: "AKIAROOT", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, type: "Root" };
    const u = entity(store, "user", "AIDA1", "a");
    store.accessKeys.insert({ accessKeyId: "AKIAUSER", secretAccessKey: "s", principal: userPrincipal(u), createdAt: 1, ownerId: u.id });
    store.accessKeys.insert({ accessKeyId: "AKIAROOT", secretAccessKey: "r", principal: root, createdAt: 2 });
    assert.equal(store.accessKeys.first()?.accessKeyId, "AKIAROOT");
    store.close();
  });

  it("last use is noted in memory and stored on flush (or when read)", () => {
    const store = Store.open(":memory:");
    const u = entity(store, "user", "AIDA1", "a");
    store.accessKeys.insert({ accessKeyId: "AKIA1", secretAccessKey: "s", principal: userPrincipal(u), createdAt: 1, ownerId: u.id });
    store.accessKeys.noteUse("AKIA1", { at: 5000, service: "apprunner", region: "eu-west-1" });
    store.accessKeys.noteUse("AKIA1", { at: 6000, service: "iam", region: "eu-west-1" });
    assert.deepEqual(store.accessKeys.info("AKIA1")?.lastUsed, { at: 6000, service: "iam", region: "eu-west-1" });
    store.close();
  });
});
