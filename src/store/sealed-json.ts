import { SecretBox, type SealedSecret } from "../iam/secret-box.js";

/**
 * Members whose values are secrets the API still has to give back (App Runner returns
 * RuntimeEnvironmentVariables in DescribeService, keys and values both marked sensitive in its
 * model, as are StartCommand and BuildCommand, which often carry a token) or that say where
 * secrets are (RuntimeEnvironmentSecrets: names and ARNs only, but what a service reads is
 * nobody else's business): stored sealed, so a copy of openrunner.db alone reveals none of them.
 */
export const SEALED_MEMBER_NAMES = ["RuntimeEnvironmentVariables", "RuntimeEnvironmentSecrets", "StartCommand", "BuildCommand"] as const;
const SEALED_MEMBERS: ReadonlySet<string> = new Set(SEALED_MEMBER_NAMES);
/** Sealed with the data directory's master key. */
const MARK = "$sealed";
/** Sealed under a customer's KMS key (a service's EncryptionConfiguration.KmsKey). */
const KMS_MARK = "$kms";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A member sealed with a data key of a KMS key: the data key kept only wrapped by that key. */
interface KmsSealed {
  keyArn: string;
  wrappedKey: string;
  sealed: SealedSecret;
}

/** The KMS key a row's members are sealed under, and the resource they are bound to. */
export interface KmsBinding {
  keyRef: string;
  context: string;
}

/**
 * Data keys of customers' KMS keys, for members of rows encrypted under them. Injected: the store
 * sits below `keys/` (KMS is built over the store), so it only knows this shape.
 */
export interface MemberKeyring {
  /** A 32-byte data key of `keyRef` to seal with, and its blob wrapped by that key. Throws when the key cannot make one. */
  dataKey(keyRef: string): { keyArn: string; key: Buffer; wrappedKey: string };
  /** The data key a blob wraps. Throws when the key is not usable (disabled, pending deletion, gone) and the key is not known already. */
  openDataKey(keyArn: string, wrappedKey: string): Buffer;
}

function isSealed(v: unknown): v is { [MARK]: SealedSecret } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && MARK in v && Object.keys(v).length === 1;
}

function isKmsSealed(v: unknown): v is { [KMS_MARK]: KmsSealed } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && KMS_MARK in v && Object.keys(v).length === 1;
}

/** A member still sealed in a parsed document: its key could not open it (see `SealedJson.open`). */
export function isWithheld(v: unknown): boolean {
  return isSealed(v) || isKmsSealed(v);
}

/** The document without the members that stayed sealed: what the API may show of it. */
export function withoutWithheld<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutWithheld(v)) as T;
  if (typeof value !== "object" || value === null) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SEALED_MEMBERS.has(k) && isWithheld(v)) {
      changed = true;
      continue;
    }
    const next = withoutWithheld(v);
    if (next !== v) changed = true;
    out[k] = next;
  }
  return changed ? (out as T) : value;
}

function walk(value: Json, onMember: (name: string, member: Json) => Json): Json {
  if (Array.isArray(value)) return value.map((v) => walk(v, onMember));
  if (typeof value !== "object" || value === null) return value;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) out[k] = SEALED_MEMBERS.has(k) && v !== null ? onMember(k, v) : walk(v, onMember);
  return out;
}

/**
 * JSON text for a column, every sealed member encrypted with `context` (the row's ARN) as
 * authenticated data, so a ciphertext copied onto another row does not open there. A row whose
 * resource names a KMS key (a service's EncryptionConfiguration.KmsKey) has its members sealed
 * with a data key of that key instead of the master key, once a keyring is attached.
 */
export class SealedJson {
  private keyring: MemberKeyring | undefined;

  constructor(private readonly box: SecretBox) {}

  /** Attached once KMS exists (it is built over this store). Before, a KMS-sealed member stays sealed when read. */
  useKeyring(keyring: MemberKeyring): void {
    this.keyring = keyring;
  }

  /**
   * `kms`: the key the row's resource is encrypted under, and what its members are bound to (the
   * service's ARN, for its operations' rows too: a member withheld while its key refused moves
   * between the service and an update's saved configuration as it is).
   */
  stringify(value: unknown, context: string, kms?: KmsBinding): string {
    const sealed = walk(value as Json, (_, member) => (isWithheld(member) ? member : this.seal(member, context, kms)));
    return JSON.stringify(sealed);
  }

  parse<T>(text: string, context: string, kmsContext = context): T {
    return this.open<T>(text, context, kmsContext).value;
  }

  /**
   * The document with its members opened. A member whose KMS key refuses (disabled, pending
   * deletion, deleted) stays sealed in place (`complete` false): the rest of the row still reads,
   * and writing the row back keeps the member as it was.
   */
  open<T>(text: string, context: string, kmsContext = context): { value: T; complete: boolean } {
    const value = JSON.parse(text) as Json;
    if (!text.includes(`"${MARK}"`) && !text.includes(`"${KMS_MARK}"`)) return { value: value as T, complete: true };
    let complete = true;
    const opened = walk(value, (_, member) => {
      if (isSealed(member)) return JSON.parse(this.box.open(member[MARK], context)) as Json;
      if (!isKmsSealed(member)) return member;
      const key = this.dataKeyOf(member[KMS_MARK]);
      if (!key) {
        complete = false;
        return member;
      }
      return JSON.parse(SecretBox.fromKey(key).open(member[KMS_MARK].sealed, kmsContext)) as Json;
    });
    return { value: opened as T, complete };
  }

  private seal(member: Json, context: string, kms: KmsBinding | undefined): Json {
    const text = JSON.stringify(member);
    if (kms === undefined) return { [MARK]: this.box.seal(text, context) as unknown as Json };
    if (!this.keyring) throw new Error(`a member of ${context} is to be sealed under KMS key ${kms.keyRef}, but no keyring is attached to the store`);
    const { keyArn, key, wrappedKey } = this.keyring.dataKey(kms.keyRef);
    const sealed: KmsSealed = { keyArn, wrappedKey, sealed: SecretBox.fromKey(key).seal(text, kms.context) };
    return { [KMS_MARK]: sealed as unknown as Json };
  }

  private dataKeyOf(sealed: KmsSealed): Buffer | undefined {
    if (!this.keyring) return undefined;
    try {
      return this.keyring.openDataKey(sealed.keyArn, sealed.wrappedKey);
    } catch {
      // The key refuses (its state is the answer, shown by DescribeKey and by the deployment that
      // checks it): the member stays sealed, the row reads without it.
      return undefined;
    }
  }

  /** Whether a stored text still holds a sealed member in clear (written before sealing existed). */
  static holdsClear(text: string): boolean {
    let clear = false;
    walk(JSON.parse(text) as Json, (_, member) => {
      if (!isWithheld(member)) clear = true;
      return member;
    });
    return clear;
  }
}
