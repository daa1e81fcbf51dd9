import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { ensureRootAccessKey } from "./root-credentials.js";
import { ManualClock } from "../util/clock.js";
import { SeededRandom } from "../util/random.js";
import { Store } from "./store.js";

const ARN = "arn:aws:apprunner:us-east-1:123456789012:service/sealed/0123456789abcdef0123456789abcdef";
const ENV_VALUE = "db-password-that-must-not-be-in-the-file";
const ENV_NAME = "SECRET_NAME_ALSO_SENSITIVE";

const doc = (env: Record<string, string>): Record<string, unknown> => ({
  ServiceArn: ARN,
  SourceConfiguration: { ImageRepository: { ImageIdentifier: "x", ImageConfiguration: { Port: "8080", RuntimeEnvironmentVariables: env } } },
});

/** Every byte SQLite keeps for the database: the file and its WAL. */
function fileBytes(file: string): string {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString("latin1")).join("");
}

describe("secrets at rest in openrunner.db", () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), "or-sealed-"));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("keeps secret keys and environment variables sealed in the file, in 0600 files, and gives them back", () => {
    const dir = tempDir();
    const file = join(dir, "openrunner.db");
    let store = Store.open(file);
    const key = ensureRootAccessKey(store, "123456789012", new ManualClock(), new SeededRandom(1));
    store.resources.insert({ arn: ARN, kind: "service", name: "sealed", status: "RUNNING", doc: doc({ [ENV_NAME]: ENV_VALUE }), createdAt: 0 });
    store.operations.insert({ id: "op-1", serviceArn: ARN, type: "UPDATE_SERVICE", status: "PENDING", startedAt: 0, state: { phase: "start", request: { previous: doc({ [ENV_NAME]: ENV_VALUE }) } } });
    for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    store.close();

    const bytes = fileBytes(file);
    for (const secret of [key.secretAccessKey, ENV_VALUE, ENV_NAME]) assert.equal(bytes.includes(secret), false, secret);

    store = Store.open(file);
    assert.equal(store.accessKeys.get(key.accessKeyId)?.secretAccessKey, key.secretAccessKey);
    assert.deepEqual(store.resources.get(ARN)?.doc, doc({ [ENV_NAME]: ENV_VALUE }));
    assert.deepEqual(store.operations.get("op-1")?.state.request, { previous: doc({ [ENV_NAME]: ENV_VALUE }) });
    store.close();
  });

  it("seals what an older version stored in clear when it opens the file, and leaves no copy behind", () => {
    const dir = tempDir();
    const file = join(dir, "openrunner.db");
    let store = Store.open(file);
    const key = ensureRootAccessKey(store, "123456789012", new ManualClock(), new SeededRandom(2));
    store.close();
    // What a data directory of an older version holds: the same rows, in clear, rewritten a few times.
    const raw = new Database(file);
    raw.prepare(`UPDATE access_keys SET secret_access_key = ?`).run(key.secretAccessKey);
    raw.prepare(`INSERT INTO resources (arn, kind, name, status, doc, seq, created_at) VALUES (?, 'service', 'old', 'RUNNING', ?, 1, 0)`).run(ARN, JSON.stringify(doc({ [ENV_NAME]: `${ENV_VALUE}-v1` })));
    raw.prepare(`UPDATE resources SET doc = ? WHERE arn = ?`).run(JSON.stringify(doc({ [ENV_NAME]: ENV_VALUE })), ARN);
    raw.prepare(`INSERT INTO operations (id, service_arn, type, status, seq, started_at, updated_at, state) VALUES ('op-1', ?, 'UPDATE_SERVICE', 'SUCCEEDED', 1, 0, 0, ?)`).run(ARN, JSON.stringify({ phase: "done", request: { previous: doc({ [ENV_NAME]: ENV_VALUE }) } }));
    raw.close();
    assert.equal(fileBytes(file).includes(key.secretAccessKey), true, "control: the old layout has it in clear");

    store = Store.open(file);
    assert.equal(store.accessKeys.get(key.accessKeyId)?.secretAccessKey, key.secretAccessKey);
    assert.deepEqual(store.resources.get(ARN)?.doc, doc({ [ENV_NAME]: ENV_VALUE }));
    assert.deepEqual(store.operations.get("op-1")?.state.request, { previous: doc({ [ENV_NAME]: ENV_VALUE }) });
    const bytes = fileBytes(file);
    for (const secret of [key.secretAccessKey, ENV_VALUE, ENV_NAME]) assert.equal(bytes.includes(secret), false, secret);
    store.close();
  });
});
