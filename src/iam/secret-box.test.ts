import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SecretBox } from "./secret-box.js";

const ARN = "arn:aws:apprunner:us-east-1:123456789012:connection/my-github/0123456789abcdef0123456789abcdef";
const TOKEN = "ghp_exampleTokenThatMustNeverLeak_0123456789";

describe("SecretBox", () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), "secret-box-"));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("seals and opens a secret bound to its context", () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal(TOKEN, ARN);
    assert.equal(sealed.v, "v1");
    assert.equal(box.open(sealed, ARN), TOKEN);
    assert.ok(!JSON.stringify(sealed).includes(TOKEN));
    assert.ok(!JSON.stringify(sealed).includes(Buffer.from(TOKEN).toString("base64")));
  });

  it("uses a fresh IV for every seal", () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const a = box.seal(TOKEN, ARN);
    const b = box.seal(TOKEN, ARN);
    assert.notEqual(a.iv, b.iv);
    assert.notEqual(a.data, b.data);
  });

  it("refuses another context, another key and a tampered ciphertext or tag", () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal(TOKEN, ARN);
    assert.throws(() => box.open(sealed, `${ARN}x`), /does not open/);
    assert.throws(() => SecretBox.fromKey(randomBytes(32)).open(sealed, ARN), /does not open/);
    const data = Buffer.from(sealed.data, "base64");
    data[0] = (data[0] ?? 0) ^ 1;
    assert.throws(() => box.open({ ...sealed, data: data.toString("base64") }, ARN), /does not open/);
    const tag = Buffer.from(sealed.tag, "base64");
    tag[0] = (tag[0] ?? 0) ^ 1;
    assert.throws(() => box.open({ ...sealed, tag: tag.toString("base64") }, ARN), /does not open/);
  });

  it("refuses keys that are not 32 bytes", () => {
    assert.throws(() => SecretBox.fromKey(randomBytes(16)), /32 bytes/);
  });

  it("creates <data-dir>/secret.key with mode 0600 once and reuses it", () => {
    const dir = tempDir();
    const first = SecretBox.forDataDir(dir);
    const file = join(dir, "secret.key");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const key = readFileSync(file);
    assert.equal(key.length, 32);
    const sealed = first.seal(TOKEN, ARN);
    const second = SecretBox.forDataDir(dir);
    assert.deepEqual(readFileSync(file), key, "the key is not replaced");
    assert.equal(second.open(sealed, ARN), TOKEN);
  });

  it("tightens a readable key file and rejects a damaged one", () => {
    const dir = tempDir();
    const file = join(dir, "secret.key");
    writeFileSync(file, randomBytes(32), { mode: 0o644 });
    SecretBox.forDataDir(dir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileSync(file, "short");
    assert.throws(() => SecretBox.forDataDir(dir), /not a secret key/);
  });
});
