import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom, type Random } from "../util/random.js";
import { parseSecretArn, randomSuffix, secretArn, secretLookupOf, unknownSuffixArn, type SecretLookup } from "./names.js";

const HERE = { region: "us-east-1", accountId: "123456789012" };
const A = "arn:aws:secretsmanager:us-east-1:123456789012:secret";

describe("a secret's ARN suffix", () => {
  it("is six letters and digits, and differs from draw to draw", () => {
    const random = new SeededRandom(7);
    const drawn = Array.from({ length: 50 }, () => randomSuffix(random));
    for (const s of drawn) assert.match(s, /^[A-Za-z0-9]{6}$/);
    assert.ok(new Set(drawn).size > 45);
  });
  it("draws again past bytes that would bias it (248 and above)", () => {
    const bytes = [255, 250, 248, 0, 61, 62, 123, 247, 1, 2, 3, 4];
    let at = 0;
    const random: Random = { bytes: (n) => Buffer.from(Array.from({ length: n }, () => bytes[at++ % bytes.length] ?? 0)) };
    assert.equal(randomSuffix(random), "A9A99B");
  });
  it("makes the ARN AWS shows, and the one a CreateSecret is authorized on", () => {
    assert.equal(secretArn("us-east-1", "123456789012", "prod/db", "Ab12Cd"), `${A}:prod/db-Ab12Cd`);
    assert.equal(unknownSuffixArn("us-east-1", "123456789012", "prod/db"), `${A}:prod/db-??????`);
  });
});

describe("a SecretId as AWS reads it", () => {
  const TABLE: [string, SecretLookup][] = [
    ["prod/db", { kind: "name", name: "prod/db" }],
    [`${A}:prod/db-Ab12Cd`, { kind: "arn", arn: `${A}:prod/db-Ab12Cd`, name: "prod/db-Ab12Cd" }],
    // A partial ARN: its resource part is the name.
    [`${A}:prod/db`, { kind: "arn", arn: `${A}:prod/db`, name: "prod/db" }],
    ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd", { kind: "elsewhere" }],
    ["arn:aws:secretsmanager:us-east-1:210987654321:secret:prod/db-Ab12Cd", { kind: "elsewhere" }],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/db", { kind: "elsewhere" }],
  ];
  for (const [id, expected] of TABLE) it(id, () => assert.deepEqual(secretLookupOf(id, HERE), expected));
  it("parses an ARN into region, account and resource", () => {
    assert.deepEqual(parseSecretArn(`${A}:a:b-123456`), { region: "us-east-1", accountId: "123456789012", resource: "a:b-123456" });
    assert.equal(parseSecretArn("arn:aws:secretsmanager:us-east-1:123456789012:key/x"), undefined);
  });
});
