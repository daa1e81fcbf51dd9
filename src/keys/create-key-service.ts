import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Authorizer } from "../iam/authorization.js";
import type { SecretBox } from "../iam/secret-box.js";
import type { CompiledPolicy } from "../iam/policy/types.js";
import { KmsStore, type KeyRow } from "../store/kms/kms-store.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import { uuid, type Random } from "../util/random.js";
import { keyIdOfBlob, openBlob, sealBlob } from "./ciphertext-blob.js";
import { aliasNotFound, incorrectKey, invalidKeyId, keyDisabled, keyNotFound, keyNotPendingDeletion, keyPendingDeletion } from "./errors.js";
import type { AliasView, KeyAdministration, KeyRecord } from "./key-administration.js";
import { assertKeyAccess, compileKeyPolicy, defaultKeyPolicy, managedKeyDescription, managedKeyPolicy } from "./key-policy.js";
import type { EncryptionContext, KeyView, ManagedKeyAlias } from "./key-service.js";
import { DEFAULT_PENDING_WINDOW_DAYS, deletionDate, nextState, usability } from "./key-states.js";

export interface KeyServiceDeps {
  store: Store;
  /** The master key's box: key material is sealed under it, with the key's ARN as context. */
  box: SecretBox;
  authorizer: Authorizer;
  clock: Clock;
  random: Random;
  accountId: string;
  region: string;
}

const MATERIAL_BYTES = 32;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MANAGED_ALIASES: ReadonlySet<string> = new Set<ManagedKeyAlias>(["aws/secretsmanager", "aws/ssm", "aws/apprunner"]);

/** A key reference as given: a key by id, or an alias by `alias/<name>`. */
type KeyRef = { keyId: string } | { alias: string };

/**
 * KMS's keys over the store: customer keys (SYMMETRIC_DEFAULT, 32 bytes of AES-256-GCM material
 * sealed under the master key), AWS managed keys made on first use of their alias, aliases,
 * the state machine, key policies and KMS's authorization with them.
 */
export function createKeyService(deps: KeyServiceDeps): KeyAdministration {
  const kms = new KmsStore(deps.store.db);
  const keyArn = (keyId: string): string => `arn:aws:kms:${deps.region}:${deps.accountId}:key/${keyId}`;
  const aliasArn = (name: string): string => `arn:aws:kms:${deps.region}:${deps.accountId}:${name}`;
  const policies = new Map<string, { text: string; compiled: CompiledPolicy }>();

  const parseRef = (ref: string): KeyRef => {
    if (KEY_ID.test(ref)) return { keyId: ref };
    if (ref.startsWith("alias/")) return { alias: ref };
    const arn = /^arn:aws:kms:([^:]*):(\d{12}):(key\/.+|alias\/.+)$/.exec(ref);
    if (!arn) throw invalidKeyId(ref);
    const [, region, account, rest = ""] = arn;
    if (rest.startsWith("alias/")) {
      if (region !== deps.region || account !== deps.accountId) throw aliasNotFound(ref);
      return { alias: rest };
    }
    if (region !== deps.region || account !== deps.accountId) throw keyNotFound(ref);
    const keyId = rest.slice("key/".length);
    if (!KEY_ID.test(keyId)) throw keyNotFound(ref);
    return { keyId };
  };

  const insertKey = (manager: KeyRow["manager"], description: string, policy: string): KeyRow => {
    const keyId = uuid(deps.random);
    const arn = keyArn(keyId);
    const material = deps.random.bytes(MATERIAL_BYTES);
    const row: KeyRow = {
      keyId,
      arn,
      manager,
      description,
      keyUsage: "ENCRYPT_DECRYPT",
      keySpec: "SYMMETRIC_DEFAULT",
      state: "Enabled",
      material: deps.box.seal(material.toString("base64"), arn),
      policy,
      createdAt: deps.clock.now(),
      deletionDate: null,
      pendingWindowDays: null,
    };
    material.fill(0);
    kms.insertKey(row);
    return row;
  };

  const managedRow = (alias: ManagedKeyAlias): KeyRow =>
    deps.store.tx(() => {
      const name = `alias/${alias}`;
      const existing = kms.alias(name);
      const known = existing ? kms.key(existing.keyId) : undefined;
      if (known) return known;
      const row = insertKey("AWS", managedKeyDescription(alias), managedKeyPolicy(alias, deps.accountId, deps.region));
      const now = deps.clock.now();
      if (existing) kms.pointAlias(name, row.keyId, now);
      else kms.insertAlias({ name, keyId: row.keyId, createdAt: now, updatedAt: now });
      return row;
    });

  const rowOf = (keyRef: string): KeyRow => {
    const ref = parseRef(keyRef);
    if ("keyId" in ref) {
      const row = kms.key(ref.keyId);
      if (!row) throw keyNotFound(keyArn(ref.keyId));
      return row;
    }
    const managed = ref.alias.slice("alias/".length);
    if (MANAGED_ALIASES.has(managed)) return managedRow(managed as ManagedKeyAlias);
    const alias = kms.alias(ref.alias);
    const row = alias ? kms.key(alias.keyId) : undefined;
    if (!row) throw aliasNotFound(aliasArn(ref.alias));
    return row;
  };

  const viewOf = (row: KeyRow): KeyView => ({ keyId: row.keyId, arn: row.arn, state: row.state, manager: row.manager, enabled: row.state === "Enabled" });

  const recordOf = (row: KeyRow): KeyRecord => ({
    ...viewOf(row),
    accountId: deps.accountId,
    description: row.description,
    keyUsage: row.keyUsage,
    keySpec: row.keySpec,
    createdAt: row.createdAt,
    ...(row.deletionDate !== null ? { deletionDate: row.deletionDate } : {}),
    ...(row.pendingWindowDays !== null ? { pendingWindowDays: row.pendingWindowDays } : {}),
  });

  const usableRow = (row: KeyRow): KeyRow => {
    const u = usability(row.state);
    if (u === "disabled") throw keyDisabled(row.arn);
    if (u === "pendingDeletion") throw keyPendingDeletion(row.arn);
    return row;
  };

  /** The key's material, opened for one use; the caller zeroes it. */
  const materialOf = (row: KeyRow): Buffer => Buffer.from(deps.box.open(row.material, row.arn), "base64");

  const encryptWith = (row: KeyRow, plaintext: Buffer, context: EncryptionContext | undefined): Buffer => {
    const material = materialOf(usableRow(row));
    try {
      return sealBlob(row.keyId, material, plaintext, context, deps.random.bytes(12));
    } finally {
      material.fill(0);
    }
  };

  const decryptRow = (blob: Buffer, keyRef: string | undefined): KeyRow => {
    const keyId = keyIdOfBlob(blob);
    const row = kms.key(keyId);
    // A deleted key's ciphertexts never open again: KMS no longer knows the key.
    if (!row) throw keyNotFound(keyArn(keyId));
    if (keyRef !== undefined && rowOf(keyRef).keyId !== keyId) throw incorrectKey();
    return usableRow(row);
  };

  const decryptWith = (row: KeyRow, blob: Buffer, context: EncryptionContext | undefined): Buffer => {
    const material = materialOf(row);
    try {
      return openBlob(blob, material, context);
    } finally {
      material.fill(0);
    }
  };

  const compiledPolicy = (row: KeyRow): CompiledPolicy => {
    const known = policies.get(row.keyId);
    if (known && known.text === row.policy) return known.compiled;
    const compiled = compileKeyPolicy(row.policy);
    policies.set(row.keyId, { text: row.policy, compiled });
    return compiled;
  };

  const aliasViewOf = (a: { name: string; keyId: string; createdAt: number; updatedAt: number }): AliasView => ({
    name: a.name,
    arn: aliasArn(a.name),
    targetKeyId: a.keyId,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  });

  const pointable = (keyRef: string): KeyRow => {
    const row = rowOf(keyRef);
    if (row.state === "PendingDeletion") throw keyPendingDeletion(row.arn);
    return row;
  };

  return {
    describe: (keyRef) => viewOf(rowOf(keyRef)),
    managedKey: (alias) => viewOf(managedRow(alias)),
    assertUsable: (keyRef) => viewOf(usableRow(rowOf(keyRef))),
    encrypt(keyRef, plaintext, context) {
      const row = rowOf(keyRef);
      return { keyArn: row.arn, ciphertextBlob: encryptWith(row, plaintext, context) };
    },
    decrypt(blob, context, keyRef) {
      const row = decryptRow(blob, keyRef);
      return { keyArn: row.arn, plaintext: decryptWith(row, blob, context) };
    },
    generateDataKey(keyRef, context, bytes = 32) {
      const row = rowOf(keyRef);
      const plaintext = deps.random.bytes(bytes);
      return { keyArn: row.arn, plaintext, ciphertextBlob: encryptWith(row, plaintext, context) };
    },
    authorizeUse(principal, arn, action, call) {
      const row = rowOf(arn);
      // Another service's call for its caller: an AWS managed key lets every principal of the account through its service.
      if (row.manager === "AWS" && principal.accountId === deps.accountId) return;
      this.assertAccess(principal, row.arn, action, call);
    },
    assertAccess(principal, arn, action, call) {
      const row = rowOf(arn);
      // The account's root may do anything with its own keys; an AWS managed key's policy binds root too, as in AWS.
      if (principal.type === "Root" && principal.accountId === deps.accountId && row.manager === "CUSTOMER") return;
      assertKeyAccess({
        principal,
        keyArn: row.arn,
        action,
        call,
        policy: compiledPolicy(row),
        authorizer: deps.authorizer,
        region: deps.region,
        resourceTags: (a) => deps.store.tags.record(a),
      });
    },
    createKey(input) {
      const policy = input.policy ?? defaultKeyPolicy(deps.accountId);
      compileKeyPolicy(policy);
      return deps.store.tx(() => {
        const row = insertKey("CUSTOMER", input.description, policy);
        if (input.tags && input.tags.length > 0) deps.store.tags.put(row.arn, input.tags);
        return recordOf(row);
      });
    },
    record: (keyRef) => recordOf(rowOf(keyRef)),
    list: () => kms.keys().map(recordOf),
    aliases: (keyRef) => kms.aliases(keyRef === undefined ? undefined : rowOf(keyRef).keyId).map(aliasViewOf),
    createAlias(name, keyRef) {
      deps.store.tx(() => {
        const row = pointable(keyRef);
        const now = deps.clock.now();
        if (!kms.insertAlias({ name, keyId: row.keyId, createdAt: now, updatedAt: now })) {
          throw new AppRunnerError("KmsAlreadyExists", `An alias with the name ${aliasArn(name)} already exists`);
        }
      });
    },
    updateAlias(name, keyRef) {
      deps.store.tx(() => {
        if (!kms.alias(name)) throw aliasNotFound(aliasArn(name));
        kms.pointAlias(name, pointable(keyRef).keyId, deps.clock.now());
      });
    },
    deleteAlias(name) {
      if (!kms.alias(name)) throw aliasNotFound(aliasArn(name));
      kms.deleteAlias(name);
    },
    aliasTarget(name) {
      const alias = kms.alias(name);
      if (!alias) throw aliasNotFound(aliasArn(name));
      return keyArn(alias.keyId);
    },
    change(keyRef, change, pendingWindowDays = DEFAULT_PENDING_WINDOW_DAYS) {
      return deps.store.tx(() => {
        const row = rowOf(keyRef);
        const next = nextState(row.state, row.manager, change);
        if ("refused" in next) {
          if (next.refused === "pendingDeletion") throw keyPendingDeletion(row.arn);
          if (next.refused === "notPendingDeletion") throw keyNotPendingDeletion(row.arn);
          throw new AppRunnerError("KmsUnsupportedOperation", `${row.arn} is an AWS managed key: it cannot be disabled, deleted or changed.`);
        }
        let deletion: { date: number; windowDays: number } | null = null;
        if (next.state === "PendingDeletion") {
          const date = deletionDate(deps.clock.now(), pendingWindowDays);
          if (date === undefined) {
            throw new AppRunnerError("KmsValidation", `1 validation error detected: Value '${pendingWindowDays}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`);
          }
          deletion = { date, windowDays: pendingWindowDays };
        }
        kms.setState(row.keyId, next.state, deletion);
        return recordOf({ ...row, state: next.state, deletionDate: deletion?.date ?? null, pendingWindowDays: deletion?.windowDays ?? null });
      });
    },
    keyPolicy: (keyRef) => rowOf(keyRef).policy,
    putKeyPolicy(keyRef, policy) {
      const row = rowOf(keyRef);
      if (row.manager === "AWS") throw new AppRunnerError("KmsUnsupportedOperation", `${row.arn} is an AWS managed key: its key policy cannot be changed.`);
      compileKeyPolicy(policy);
      kms.setPolicy(row.keyId, policy);
    },
    keyArnOfCiphertext: (blob) => keyArn(keyIdOfBlob(blob)),
    reEncrypt(blob, source, destination) {
      const from = decryptRow(blob, source.keyRef);
      const to = rowOf(destination.keyRef);
      const plaintext = decryptWith(from, blob, source.context);
      try {
        return { sourceKeyArn: from.arn, keyArn: to.arn, ciphertextBlob: encryptWith(to, plaintext, destination.context) };
      } finally {
        plaintext.fill(0);
      }
    },
    deleteDueKeys() {
      return deps.store.tx(() => {
        const due = kms.dueForDeletion(deps.clock.now());
        for (const row of due) {
          kms.deleteKey(row.keyId);
          deps.store.tags.removeAll(row.arn);
          policies.delete(row.keyId);
        }
        return due.map((r) => r.arn);
      });
    },
  };
}
