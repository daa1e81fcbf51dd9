import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  describeReference,
  keyArnOfAlias,
  newSecretProblems,
  referenceKind,
  referenceOf,
  referenceProblem,
  rowOf,
  secretNameOf,
  secretRowsProblem,
  secretsRecord,
  secretStringOf,
  type SecretRow,
} from "../console/src/api/secret-references.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123";
const PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password";
const row = (name: string, source: string, jsonKey = ""): SecretRow => ({ name, source, jsonKey });

/** The console's pure decisions about environment secrets and new secrets (console/src/api/secret-references.ts). */
describe("console: secret references", () => {
  it("builds the reference a pick makes: a JSON key of a secret becomes ECS's `:<key>::` suffix", () => {
    const table: [Pick<SecretRow, "source" | "jsonKey">, string][] = [
      [{ source: SECRET, jsonKey: "" }, SECRET],
      [{ source: SECRET, jsonKey: "password" }, `${SECRET}:password::`],
      [{ source: ` ${SECRET} `, jsonKey: " password " }, `${SECRET}:password::`],
      [{ source: PARAMETER, jsonKey: "" }, PARAMETER],
      // A key only applies to a secret's ARN: a parameter, or a reference that already has a suffix, stays as typed.
      [{ source: PARAMETER, jsonKey: "x" }, PARAMETER],
      [{ source: `${SECRET}:user:AWSPREVIOUS:`, jsonKey: "x" }, `${SECRET}:user:AWSPREVIOUS:`],
      [{ source: "/prod/db/password", jsonKey: "" }, "/prod/db/password"],
    ];
    for (const [pick, expected] of table) assert.equal(referenceOf(pick), expected, JSON.stringify(pick));
  });

  it("reads a reference back into its parts, and round-trips what it writes", () => {
    const table: [string, SecretRow][] = [
      [SECRET, row("V", SECRET)],
      [`${SECRET}:password::`, row("V", SECRET, "password")],
      // A version stage or id is kept whole: the editor has no field for it, and must not lose it.
      [`${SECRET}:password:AWSPREVIOUS:`, row("V", `${SECRET}:password:AWSPREVIOUS:`)],
      [`${SECRET}::AWSCURRENT:`, row("V", `${SECRET}::AWSCURRENT:`)],
      [PARAMETER, row("V", PARAMETER)],
      ["db-password", row("V", "db-password")],
    ];
    for (const [reference, expected] of table) {
      assert.deepEqual(rowOf("V", reference), expected, reference);
      assert.equal(referenceOf(rowOf("V", reference)), reference, reference);
    }
    assert.deepEqual(secretsRecord([row(" DB ", SECRET, "password"), row("", PARAMETER), row("API", PARAMETER)]), { DB: `${SECRET}:password::`, API: PARAMETER });
  });

  it("tells a secret from a parameter, and names them in words", () => {
    assert.equal(referenceKind(SECRET), "secret");
    assert.equal(referenceKind(`${SECRET}:k::`), "secret");
    assert.equal(referenceKind(PARAMETER), "parameter");
    assert.equal(referenceKind("db-password"), "parameter");
    assert.equal(secretNameOf(SECRET), "prod/db");
    assert.equal(describeReference(SECRET), "prod/db (Secrets Manager)");
    assert.equal(describeReference(`${SECRET}:password::`), "prod/db (Secrets Manager), JSON key password");
    assert.equal(describeReference(PARAMETER), "/prod/db/password (Parameter Store)");
    assert.equal(describeReference("db-password"), "db-password (Parameter Store)");
  });

  it("gives CreateService the key ARN an alias points at (EncryptionConfiguration takes no alias)", () => {
    const id = "1234abcd-12ab-34cd-56ef-1234567890ab";
    assert.equal(keyArnOfAlias("arn:aws:kms:eu-west-1:123456789012:alias/web", id), `arn:aws:kms:eu-west-1:123456789012:key/${id}`);
    assert.equal(keyArnOfAlias("arn:aws:kms:eu-west-1:123456789012:alias/web", `arn:aws:kms:eu-west-1:123456789012:key/${id}`), `arn:aws:kms:eu-west-1:123456789012:key/${id}`);
    assert.equal(keyArnOfAlias("arn:aws:kms:eu-west-1:123456789012:alias/web", undefined), undefined);
    assert.equal(keyArnOfAlias("not-an-arn", id), undefined);
  });

  it("checks references and rows before UpdateService", () => {
    const valid = [SECRET, `${SECRET}:k::`, `${SECRET}:k:AWSCURRENT:`, PARAMETER, "db-password", "/prod/db/password"];
    for (const r of valid) assert.equal(referenceProblem(r), undefined, r);
    const invalid = ["", "arn:aws:s3:::bucket", "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbC123:k", "db password", "arn:aws:ssm:us-east-1:123456789012:document/x"];
    for (const r of invalid) assert.notEqual(referenceProblem(r), undefined, r);

    const table: [SecretRow[], RegExp | undefined][] = [
      [[], undefined],
      [[row("DB", SECRET, "password"), row("API", PARAMETER)], undefined],
      [[row("", "", "")], undefined],
      [[row("", SECRET)], /Secret 1 needs an environment variable name/],
      [[row("DB", SECRET), row("DB", PARAMETER)], /DB is given more than one secret/],
      [[row("DB", "")], /DB: Choose a secret or parameter/],
      [[row("DB", PARAMETER, "password")], /DB: a JSON key applies to a Secrets Manager secret/],
      [[row("DB", SECRET, "a:b")], /DB: a JSON key cannot contain ':'/],
      [[row("DB", "arn:aws:iam::123456789012:role/x")], /not a Secrets Manager secret ARN or an SSM parameter ARN/],
    ];
    for (const [rows, expected] of table) {
      const problem = secretRowsProblem(rows);
      if (expected) assert.match(problem ?? "", expected, JSON.stringify(rows));
      else assert.equal(problem, undefined, JSON.stringify(rows));
    }
  });

  it("makes a new secret's value from plaintext or key/value rows, and checks the form", () => {
    assert.equal(secretStringOf({ kind: "plaintext", text: " s3cret " }), " s3cret ");
    assert.equal(
      secretStringOf({ kind: "json", rows: [{ key: " username ", value: "app" }, { key: "password", value: "p:w\"d" }, { key: "", value: "dropped" }] }),
      '{"username":"app","password":"p:w\\"d"}',
    );
    const table: [string, Parameters<typeof newSecretProblems>[1], string[]][] = [
      ["prod/db", { kind: "plaintext", text: "x" }, []],
      ["", { kind: "plaintext", text: "" }, ["name", "value"]],
      ["a b", { kind: "plaintext", text: "x" }, ["name"]],
      ["db-AbC123", { kind: "plaintext", text: "x" }, ["name"]],
      ["db", { kind: "json", rows: [{ key: "", value: "x" }] }, ["value"]],
      ["db", { kind: "json", rows: [{ key: "k", value: "1" }, { key: " k", value: "2" }] }, ["value"]],
      ["db", { kind: "json", rows: [{ key: "k", value: "" }] }, []],
    ];
    for (const [name, value, fields] of table) assert.deepEqual(Object.keys(newSecretProblems(name, value)).sort(), fields, `${name} ${JSON.stringify(value)}`);
  });

  it("never reads a value back: the console's sources call no GetSecretValue, GetParameter(s) or Decrypt", () => {
    const root = fileURLToPath(new URL("../../console/src/", import.meta.url));
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const sources = files(root).filter((f) => /\.tsx?$/.test(f));
    assert.ok(sources.length > 20, "the console's sources are where this test looks");
    for (const file of sources) {
      const text = readFileSync(file, "utf8");
      // An operation is named as a string (callAwsJson) or an SDK command class; comments may say what is never called.
      for (const call of ['"GetSecretValue"', '"BatchGetSecretValue"', '"GetParameter', '"Decrypt"', '"ReEncrypt"', "GetSecretValueCommand", "GetParameterCommand", "GetParametersCommand", "DecryptCommand", "WithDecryption"]) {
        assert.ok(!text.includes(call), `${file} calls ${call}`);
      }
    }
  });
});
