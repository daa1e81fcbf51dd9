/**
 * The console's pure decisions about secrets: the RuntimeEnvironmentSecrets reference a pick
 * makes, reading one back into its parts, the value a new secret is created with, and the
 * checks made before a call. No DOM, no imports: test/console-secrets.test.ts runs it in node.
 *
 * A reference is what App Runner's `value-from` takes (src/domain/runtime-secrets.ts): a
 * Secrets Manager secret ARN, the same followed by ECS's `:<json-key>:<version-stage>:<version-id>`
 * (the console writes `:<json-key>::`, the current version's key), an SSM parameter ARN, or a
 * parameter's name in the service's own region.
 */

/** One environment secret as the editor holds it: the variable, what it reads, and a JSON key of a secret. */
export interface SecretRow {
  name: string;
  /** A secret ARN, a parameter ARN or a parameter name, picked from a list or typed. */
  source: string;
  jsonKey: string;
}

export type ReferenceKind = "secret" | "parameter";

const SECRET_ARN = /^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:[^:]+$/;
const SECRET_ARN_WITH_KEY = /^(arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:[^:]+):([^:]*):([^:]*):([^:]*)$/;
const PARAMETER_ARN = /^arn:[\w-]+:ssm:[\w-]+:\d{12}:parameter\/.+$/;
/** SSM's parameter names: letters, digits, `.-_/`, at most 2048 characters (a name may start with `/`). */
const PARAMETER_NAME = /^[A-Za-z0-9_.\-/]{1,2048}$/;

/** What a source names: a Secrets Manager secret (by ARN) or an SSM parameter (by ARN or name). */
export function referenceKind(source: string): ReferenceKind {
  return source.startsWith("arn:") && source.split(":")[2] === "secretsmanager" ? "secret" : "parameter";
}

/** The reference a row stands for: a secret's JSON key becomes ECS's suffix `:<key>::`. */
export function referenceOf(row: Pick<SecretRow, "source" | "jsonKey">): string {
  const source = row.source.trim();
  const key = row.jsonKey.trim();
  return key !== "" && SECRET_ARN.test(source) ? `${source}:${key}::` : source;
}

/** A reference read back into a row's parts; a suffix naming a version stage or id stays whole in `source`. */
export function rowOf(name: string, reference: string): SecretRow {
  const m = SECRET_ARN_WITH_KEY.exec(reference);
  if (m && m[3] === "" && m[4] === "") return { name, source: m[1] ?? reference, jsonKey: m[2] ?? "" };
  return { name, source: reference, jsonKey: "" };
}

export const rowsOf = (secrets: Record<string, string> | undefined): SecretRow[] => Object.entries(secrets ?? {}).map(([name, ref]) => rowOf(name, ref));

/** RuntimeEnvironmentSecrets from the editor's rows (rows without a variable name are left out). */
export function secretsRecord(rows: readonly SecretRow[]): Record<string, string> {
  return Object.fromEntries(rows.filter((r) => r.name.trim() !== "").map((r) => [r.name.trim(), referenceOf(r)]));
}

/** Whether a reference has a form App Runner reads (it does not say the secret exists: the deployment does). */
export function referenceProblem(reference: string): string | undefined {
  const ref = reference.trim();
  if (ref === "") return "Choose a secret or parameter, or type its ARN.";
  if (ref.startsWith("arn:")) {
    if (SECRET_ARN.test(ref) || SECRET_ARN_WITH_KEY.test(ref) || PARAMETER_ARN.test(ref)) return undefined;
    return `${ref} is not a Secrets Manager secret ARN or an SSM parameter ARN.`;
  }
  return PARAMETER_NAME.test(ref) ? undefined : `${ref} is not a parameter name (letters, digits, . - _ and /).`;
}

/** The first problem of the editor's rows, said as the editor shows it, or undefined. */
export function secretRowsProblem(rows: readonly SecretRow[]): string | undefined {
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const name = row.name.trim();
    const label = name || `row ${i + 1}`;
    if (name === "" && row.source.trim() === "" && row.jsonKey.trim() === "") continue;
    if (name === "") return `Secret ${i + 1} needs an environment variable name.`;
    if (seen.has(name)) return `The variable ${name} is given more than one secret.`;
    seen.add(name);
    const problem = referenceProblem(row.source);
    if (problem) return `${label}: ${problem}`;
    if (row.jsonKey.trim() !== "" && referenceKind(row.source.trim()) !== "secret") return `${label}: a JSON key applies to a Secrets Manager secret, not to a parameter.`;
    if (row.jsonKey.includes(":")) return `${label}: a JSON key cannot contain ':'.`;
  }
  return undefined;
}

/** A secret's name from its ARN (Secrets Manager adds `-` and 6 random characters), else the ARN. */
export function secretNameOf(arn: string): string {
  const m = /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn);
  return m?.[1] ?? arn;
}

/** A reference in words, for the configuration view: "db-password (Secrets Manager), key password". */
export function describeReference(reference: string): string {
  const row = rowOf("", reference);
  if (referenceKind(row.source) === "secret") {
    const name = secretNameOf(SECRET_ARN_WITH_KEY.exec(row.source)?.[1] ?? row.source);
    return `${name} (Secrets Manager)${row.jsonKey ? `, JSON key ${row.jsonKey}` : ""}`;
  }
  const name = row.source.startsWith("arn:") ? row.source.replace(/^arn:[^:]*:ssm:[^:]*:\d*:parameter/, "") : row.source;
  return `${name} (Parameter Store)`;
}

/** A new secret's value: the plaintext as typed, or its key/value rows as one JSON object. */
export type SecretValueInput = { kind: "plaintext"; text: string } | { kind: "json"; rows: { key: string; value: string }[] };

export function secretStringOf(input: SecretValueInput): string {
  if (input.kind === "plaintext") return input.text;
  return JSON.stringify(Object.fromEntries(input.rows.filter((r) => r.key.trim() !== "").map((r) => [r.key.trim(), r.value])));
}

/** Secrets Manager's names: 1 to 512 of letters, digits and /_+=.@- (the API says the same, later). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** The new-secret form's problems by field (name, value), before any call. */
export function newSecretProblems(name: string, value: SecretValueInput): Record<string, string> {
  const out: Record<string, string> = {};
  const n = name.trim();
  if (n === "") out.name = "Enter a name for the secret.";
  else if (!SECRET_NAME.test(n)) out.name = "A secret name has 1 to 512 letters, digits and / _ + = . @ - characters.";
  else if (/-[A-Za-z0-9]{6}$/.test(n)) out.name = "A name ending in a hyphen and six characters would be read as an ARN's suffix; choose another.";
  if (value.kind === "plaintext" && value.text === "") out.value = "Enter the secret value.";
  if (value.kind === "json") {
    const keys = value.rows.map((r) => r.key.trim()).filter((k) => k !== "");
    if (keys.length === 0) out.value = "Add at least one key.";
    else if (new Set(keys).size !== keys.length) out.value = "Each key appears once in a JSON secret.";
  }
  return out;
}

/**
 * The key ARN an alias points at, from the alias's ARN and target key id, which is what
 * CreateService's EncryptionConfiguration.KmsKey takes (an alias is not accepted there).
 */
export function keyArnOfAlias(aliasArn: string, targetKeyId: string | undefined): string | undefined {
  if (!targetKeyId) return undefined;
  if (targetKeyId.startsWith("arn:")) return targetKeyId;
  const m = /^(arn:[\w-]+:kms:[\w-]+:\d{12}):alias\/.+$/.exec(aliasArn);
  return m ? `${m[1]}:key/${targetKeyId}` : undefined;
}
