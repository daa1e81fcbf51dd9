import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { accountUrlFor, readAccountUrl, readOrCreateAccountKey, writeAccountRecord } from "./account.js";

const LE = "https://acme-v02.api.letsencrypt.org/directory";
const PEBBLE = "https://127.0.0.1:14000/dir";

test("accountUrlFor reuses the account only at the directory that registered it", () => {
  const kept = JSON.stringify({ directoryUrl: LE, accountUrl: "https://acme-v02.api.letsencrypt.org/acme/acct/1" });
  const rows: { contents: string | undefined; directory: string; want: string | undefined }[] = [
    { contents: undefined, directory: LE, want: undefined },
    { contents: kept, directory: LE, want: "https://acme-v02.api.letsencrypt.org/acme/acct/1" },
    { contents: kept, directory: PEBBLE, want: undefined },
  ];
  for (const r of rows) assert.equal(accountUrlFor(r.contents, r.directory), r.want, `${r.contents} at ${r.directory}`);
});

test("accountUrlFor refuses a file that is not an account record instead of overwriting it", () => {
  for (const contents of ["not json", "null", "{}", '{"directoryUrl":"x"}', '{"directoryUrl":1,"accountUrl":"y"}']) {
    assert.throws(() => accountUrlFor(contents, LE), (err: unknown) => err instanceof AppRunnerError && err.code === "CertificateIssuanceFailed", contents);
  }
});

test("the account key is EC P-256, made once (0600); account.json is written 0600 and read back per directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "or-acme-account-"));
  try {
    const accountDir = join(dir, "certificates", "acme");
    const key = readOrCreateAccountKey(accountDir);
    assert.equal(readOrCreateAccountKey(accountDir), key, "the second call reads the same key");
    const parsed = createPrivateKey(key);
    assert.equal(parsed.asymmetricKeyType, "ec");
    assert.equal(parsed.asymmetricKeyDetails?.namedCurve, "prime256v1");
    assert.equal(statSync(join(accountDir, "account.key")).mode & 0o777, 0o600);
    assert.equal(statSync(accountDir).mode & 0o777, 0o700);

    assert.equal(readAccountUrl(accountDir, LE), undefined, "no account.json yet");
    writeAccountRecord(accountDir, { directoryUrl: LE, accountUrl: "https://le/acct/1" });
    assert.equal(statSync(join(accountDir, "account.json")).mode & 0o777, 0o600);
    assert.equal(readAccountUrl(accountDir, LE), "https://le/acct/1");
    assert.equal(readAccountUrl(accountDir, PEBBLE), undefined, "another directory needs its own account");
    writeAccountRecord(accountDir, { directoryUrl: PEBBLE, accountUrl: "https://pebble/acct/2" });
    assert.deepEqual(JSON.parse(readFileSync(join(accountDir, "account.json"), "utf8")), { directoryUrl: PEBBLE, accountUrl: "https://pebble/acct/2" });
    assert.deepEqual(readdirSync(accountDir).sort(), ["account.json", "account.key"], "no temporary file is left");

    writeFileSync(join(accountDir, "account.json"), "garbage");
    assert.throws(() => readAccountUrl(accountDir, LE), /not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
