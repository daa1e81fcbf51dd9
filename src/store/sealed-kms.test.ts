import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { KeyServiceSpy, TestKeys } from "../../test/support/test-keys.js";
import { serviceKeyring } from "../keys/service-keyring.js";
import { isWithheld, withoutWithheld } from "./sealed-json.js";
import { Store } from "./store.js";

const ARN = "arn:aws:apprunner:us-east-1:123456789012:service/keyed/0123456789abcdef0123456789abcdef";
const ENV_VALUE = "db-password-under-the-customer-key";
const SECRET_REF = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-pass-AbCdEf";
const START_COMMAND = "node server.js --admin-token start-command-token";

const doc = (kmsKey: string | undefined, env: Record<string, string>): Record<string, unknown> => ({
  ServiceArn: ARN,
  SourceConfiguration: {
    ImageRepository: {
      ImageIdentifier: "x",
      ImageConfiguration: { Port: "8080", StartCommand: START_COMMAND, RuntimeEnvironmentVariables: env, RuntimeEnvironmentSecrets: { DB_PASSWORD: SECRET_REF } },
    },
  },
  ...(kmsKey ? { EncryptionConfiguration: { KmsKey: kmsKey } } : {}),
});

/** Every byte SQLite keeps for the database: the file and its WAL. */
const fileBytes = (file: string): string =>
  [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString("latin1")).join("");

const envOf = (d: unknown): unknown =>
  (d as { SourceConfiguration: { ImageRepository: { ImageConfiguration: Record<string, unknown> } } }).SourceConfiguration.ImageRepository.ImageConfiguration;

describe("a service's configuration sealed under its EncryptionConfiguration.KmsKey", () => {
  const dirs: string[] = [];
  const tempFile = (): string => {
    const d = mkdtempSync(join(tmpdir(), "or-kms-sealed-"));
    dirs.push(d);
    return join(d, "openrunner.db");
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("seals RuntimeEnvironmentSecrets and StartCommand as well as RuntimeEnvironmentVariables, for a service without a key", () => {
    const file = tempFile();
    const store = Store.open(file);
    store.resources.insert({ arn: ARN, kind: "service", name: "keyed", status: "RUNNING", doc: doc(undefined, { A: ENV_VALUE }), createdAt: 0 });
    store.close();
    const bytes = fileBytes(file);
    for (const clear of [ENV_VALUE, SECRET_REF, "DB_PASSWORD", START_COMMAND]) assert.equal(bytes.includes(clear), false, clear);
    const again = Store.open(file);
    assert.deepEqual(again.resources.get(ARN)?.doc, doc(undefined, { A: ENV_VALUE }));
    again.close();
  });

  it("seals with a data key of the service's key (one GenerateDataKey per key, not per write), and reads back", () => {
    const keys = new TestKeys();
    const kms = new KeyServiceSpy(keys.service);
    const key = keys.createKey();
    const file = tempFile();
    const store = Store.open(file);
    store.useKeyring(serviceKeyring(kms));
    const row = store.resources.insert({ arn: ARN, kind: "service", name: "keyed", status: "RUNNING", doc: doc(key.arn, { A: ENV_VALUE }), createdAt: 0 });
    store.resources.update({ ...row, status: "OPERATION_IN_PROGRESS" });
    store.operations.insert({ id: "op-1", serviceArn: ARN, type: "UPDATE_SERVICE", status: "PENDING", startedAt: 0, state: { phase: "start", request: { previous: doc(key.arn, { A: ENV_VALUE }) } } });
    assert.equal(kms.calls.filter((c) => c.startsWith("GenerateDataKey")).length, 1);
    store.close();
    const bytes = fileBytes(file);
    for (const clear of [ENV_VALUE, SECRET_REF, START_COMMAND]) assert.equal(bytes.includes(clear), false, clear);
    assert.equal(bytes.includes('"$kms"'), true, "sealed under the KMS key, not the master key");

    // A restart: a new keyring opens the wrapped data key once through KMS.
    const again = Store.open(file);
    again.useKeyring(serviceKeyring(kms));
    kms.calls.length = 0;
    assert.deepEqual(again.resources.get(ARN)?.doc, doc(key.arn, { A: ENV_VALUE }));
    assert.deepEqual(again.operations.get("op-1")?.state.request, { previous: doc(key.arn, { A: ENV_VALUE }) });
    assert.equal(kms.calls.filter((c) => c === "Decrypt").length, 1);
    again.close();
  });

  it("keeps reading a service whose key was disabled: while the server runs from memory, after a restart without the members, and all of it once enabled", () => {
    const kms = new TestKeys();
    const key = kms.createKey();
    const file = tempFile();
    const store = Store.open(file);
    store.useKeyring(serviceKeyring(kms.service));
    store.resources.insert({ arn: ARN, kind: "service", name: "keyed", status: "RUNNING", doc: doc(key.arn, { A: ENV_VALUE }), createdAt: 0 });
    kms.setState(key.arn, "Disabled");
    store.resources.forgetCachedRows();
    assert.deepEqual(store.resources.get(ARN)?.doc, doc(key.arn, { A: ENV_VALUE }), "the data key is held in memory, as App Runner holds a grant");
    store.close();

    const restarted = Store.open(file);
    restarted.useKeyring(serviceKeyring(kms.service));
    const [listed] = restarted.resources.list({ kind: "service" });
    assert.ok(listed, "ListServices still reads the row");
    const config = envOf(listed.doc) as Record<string, unknown>;
    assert.equal(isWithheld(config.RuntimeEnvironmentVariables), true);
    assert.deepEqual(envOf(withoutWithheld(listed.doc)), { Port: "8080" });
    kms.setState(key.arn, "Enabled");
    assert.deepEqual(restarted.resources.get(ARN)?.doc, doc(key.arn, { A: ENV_VALUE }), "a row read while withheld is not cached");
    restarted.close();

    kms.setState(key.arn, "Disabled");
    const third = Store.open(file);
    third.useKeyring(serviceKeyring(kms.service));
    const withheld = third.resources.get(ARN);
    assert.ok(withheld);
    // Writing the row back (a status change) keeps the member as it was, for when the key is enabled again.
    third.resources.update({ ...withheld, status: "PAUSED" });
    kms.setState(key.arn, "Enabled");
    assert.deepEqual(third.resources.get(ARN)?.doc, doc(key.arn, { A: ENV_VALUE }));
    third.close();
  });
});
