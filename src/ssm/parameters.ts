import { AppRunnerError } from "../errors/app-runner-error.js";
import type { CallFacts } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { openEnvelope, sealEnvelope, type Envelope } from "../keys/envelope.js";
import type { KeyService, KeyUseAction } from "../keys/key-service.js";
import type { ParameterVersionRow, StoredValue } from "../store/parameters/parameter-store.js";
import type { Store } from "../store/store.js";
import { invalidKeyId, parameterNotFound, versionNotFound } from "./errors.js";
import { parameterArn, type ParameterReference, type Place } from "./names.js";

/** The AWS managed key SecureString parameters use when no KeyId is given. */
export const DEFAULT_KEY_ID = "alias/aws/ssm";

export interface ParametersDeps {
  store: Store;
  /** KMS; absent: no SecureString parameters (String and StringList still work). */
  keys?: KeyService;
  place: Place;
}

/**
 * What the API and the deployments' reader share: finding a version by name, version or label,
 * and a value in and out of the store (String and StringList sealed with the store's box,
 * SecureString as a KMS envelope bound to {PARAMETER_ARN}), with the caller's KMS permissions
 * checked on a customer managed key as AWS checks them.
 */
export class Parameters {
  constructor(private readonly deps: ParametersDeps) {}

  get place(): Place {
    return this.deps.place;
  }

  arn(name: string): string {
    return parameterArn(this.deps.place, name);
  }

  /** The version a reference names, or ParameterNotFound / ParameterVersionNotFound. */
  resolve(ref: ParameterReference): ParameterVersionRow {
    const repo = this.deps.store.parameters;
    const selector = ref.selector;
    if (selector.kind === "latest") return repo.latest(ref.name) ?? throwing(parameterNotFound(ref.name));
    if (!repo.latest(ref.name)) throw parameterNotFound(ref.name);
    if (selector.kind === "version") return repo.version(ref.name, selector.version) ?? throwing(versionNotFound(ref.name, selector.version));
    const version = repo.labels(ref.name).get(selector.label);
    const row = version === undefined ? undefined : repo.version(ref.name, version);
    return row ?? throwing(parameterNotFound(`${ref.name}:${selector.label}`));
  }

  /** A version's value in clear: a SecureString decrypted (kms:Decrypt asked of the caller on a customer managed key). */
  plaintext(row: ParameterVersionRow, principal: Principal, call: CallFacts): string {
    const v = row.value;
    if ("sealed" in v) return this.deps.store.parameters.openPlain(v.sealed, row.name, row.version);
    const envelope = v.envelope as unknown as Envelope;
    const keys = this.keyService();
    this.authorizeKey(keys, principal, envelope.keyArn, "kms:Decrypt", call);
    return openEnvelope(keys, envelope, { PARAMETER_ARN: this.arn(row.name) }).toString("utf8");
  }

  /**
   * The value a read answers with: in clear, or for a SecureString without WithDecryption the
   * ciphertext as AWS shows it (base64 of an opaque blob: here the envelope's parts).
   */
  shownValue(row: ParameterVersionRow, withDecryption: boolean, principal: Principal, call: CallFacts): string {
    const v = row.value;
    if ("envelope" in v && !withDecryption) return ciphertextOf(v.envelope as unknown as Envelope);
    return this.plaintext(row, principal, call);
  }

  /**
   * A new version's value as kept. A SecureString is sealed under `keyRef` (a key id, key ARN,
   * alias or alias ARN; the AWS managed aws/ssm by default), asking the caller's
   * kms:GenerateDataKey on a customer managed key; the key's ARN is returned for the record.
   */
  seal(name: string, version: number, type: string, value: string, keyRef: string | undefined, principal: Principal, call: CallFacts): StoredValue {
    if (type !== "SecureString") return this.deps.store.parameters.sealPlain(value, name, version);
    const keys = this.keyService();
    const key = keys.describe(keyRef ?? DEFAULT_KEY_ID);
    this.authorizeKey(keys, principal, key.arn, "kms:GenerateDataKey", call);
    const envelope = sealEnvelope(keys, key.arn, Buffer.from(value, "utf8"), { PARAMETER_ARN: this.arn(name) });
    return { envelope: envelope as unknown as Readonly<Record<string, string>> };
  }

  private keyService(): KeyService {
    if (!this.deps.keys) throw invalidKeyId("SecureString parameters need KMS, and this server runs without it.");
    return this.deps.keys;
  }

  /** AWS managed keys let every principal of the account use them through the service; customer keys ask KMS. */
  private authorizeKey(keys: KeyService, principal: Principal, keyArn: string, action: KeyUseAction, call: CallFacts): void {
    if (keys.describe(keyArn).manager === "CUSTOMER") keys.authorizeUse(principal, keyArn, action, call);
  }
}

function throwing(err: AppRunnerError): never {
  throw err;
}

/** An opaque blob of the envelope's parts, as a SecureString read without decryption shows it. */
export function ciphertextOf(envelope: Envelope): string {
  const wrapped = Buffer.from(envelope.wrappedKey, "base64");
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrapped.length);
  return Buffer.concat([Buffer.from([1]), length, wrapped, ...[envelope.iv, envelope.tag, envelope.data].map((p) => Buffer.from(p, "base64"))]).toString("base64");
}
