import { randomBytes } from "node:crypto";
import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import type { Authorizer, CallFacts } from "../../src/iam/authorization.js";
import type { Principal } from "../../src/iam/principal.js";
import { SecretBox } from "../../src/iam/secret-box.js";
import { createKeyService } from "../../src/keys/create-key-service.js";
import type { KeyAdministration } from "../../src/keys/key-administration.js";
import type { DataKey, EncryptionContext, KeyService, KeyState, KeyUseAction, KeyView, ManagedKeyAlias } from "../../src/keys/key-service.js";
import { MAX_PENDING_WINDOW_DAYS } from "../../src/keys/key-states.js";
import { Store } from "../../src/store/store.js";
import { ManualClock } from "../../src/util/clock.js";
import { cryptoRandom } from "../../src/util/random.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** No identity policy to consult: a key's default policy then lets everyone of the account use it. */
const ALLOW_ALL: Authorizer = { authorize: () => undefined, decide: () => "Allow" };

/**
 * The real KMS (createKeyService) over a store of its own (or the test's), with a throwaway
 * master key, for tests of what uses KMS: keys made and put in a state as KMS's API would.
 * Account, region and the identity policies KMS evaluates with the key policy may be set after a
 * server started (its account is only known then); deletion windows pass when the test says.
 */
export class TestKeys {
  readonly place = { accountId: "123456789012", region: "us-east-1" };
  /** The identity policies KMS consults; unset: none to consult, everyone of the account allowed. */
  authorizer: Authorizer | undefined;
  readonly clock = new ManualClock(Date.now());
  readonly service: KeyAdministration;

  constructor(store: Store = Store.open(":memory:")) {
    const place = this.place;
    const authorizer: Authorizer = {
      authorize: (principal, requests, call) => (this.authorizer ?? ALLOW_ALL).authorize(principal, requests, call),
      decide: (principal, request, call) => (this.authorizer ?? ALLOW_ALL).decide(principal, request, call),
    };
    this.service = createKeyService({
      store,
      box: SecretBox.fromKey(randomBytes(32)),
      authorizer,
      clock: this.clock,
      random: cryptoRandom,
      get accountId(): string {
        return place.accountId;
      },
      get region(): string {
        return place.region;
      },
    });
  }

  /** A customer managed key, with an alias (`alias/<name>`) when given. */
  createKey(alias?: string): KeyView {
    const key = this.service.createKey({ description: "a test's key" });
    if (alias !== undefined) this.service.createAlias(alias, key.arn);
    return key;
  }

  /** Puts a key in `state` as KMS's EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion (and the window passing) would. */
  setState(keyRef: string, state: KeyState | "Deleted"): void {
    const current = this.service.describe(keyRef).state;
    if (current === state) return;
    if (current === "PendingDeletion") this.service.change(keyRef, "cancelDeletion");
    if (state === "Enabled" || state === "Disabled") {
      this.service.change(keyRef, state === "Enabled" ? "enable" : "disable");
      return;
    }
    this.service.change(keyRef, "scheduleDeletion", MAX_PENDING_WINDOW_DAYS);
    if (state === "Deleted") {
      this.clock.advance((MAX_PENDING_WINDOW_DAYS + 1) * DAY_MS);
      this.service.deleteDueKeys();
    }
  }
}

/**
 * A KeyService over another (the real one) that notes what it is asked and can refuse what the
 * real one cannot be made to: a caller's use the account's root would otherwise always get, and
 * data keys from a key (as KMS's asymmetric keys, which OpenRunner's KMS does not make).
 */
export class KeyServiceSpy implements KeyService {
  /** The KMS calls made, in order: `GenerateDataKey <ref>`, `Decrypt`, `Encrypt <ref>`, `DescribeKey <ref>`, ... */
  readonly calls: string[] = [];
  /** What authorizeUse was asked, as `<principal ARN> <action> <key ARN>`. */
  readonly uses: string[] = [];
  /** Uses refused: a principal's ARN (all its uses) or `<principal ARN> <action> <key ARN>`. */
  readonly refused = new Set<string>();
  /** Key ARNs that make no data keys, as an asymmetric key in KMS. */
  readonly withoutDataKeys = new Set<string>();

  constructor(readonly inner: KeyService) {}

  describe(keyRef: string): KeyView {
    this.calls.push(`DescribeKey ${keyRef}`);
    return this.inner.describe(keyRef);
  }

  managedKey(alias: ManagedKeyAlias): KeyView {
    this.calls.push(`managedKey ${alias}`);
    return this.inner.managedKey(alias);
  }

  assertUsable(keyRef: string): KeyView {
    return this.inner.assertUsable(keyRef);
  }

  encrypt(keyRef: string, plaintext: Buffer, context?: EncryptionContext): { keyArn: string; ciphertextBlob: Buffer } {
    this.calls.push(`Encrypt ${keyRef}`);
    return this.inner.encrypt(keyRef, plaintext, context);
  }

  decrypt(ciphertextBlob: Buffer, context?: EncryptionContext, keyRef?: string): { keyArn: string; plaintext: Buffer } {
    this.calls.push("Decrypt");
    return this.inner.decrypt(ciphertextBlob, context, keyRef);
  }

  generateDataKey(keyRef: string, context?: EncryptionContext, bytes?: number): DataKey {
    this.calls.push(`GenerateDataKey ${keyRef}`);
    const arn = this.inner.describe(keyRef).arn;
    if (this.withoutDataKeys.has(arn)) throw new AppRunnerError("KmsInvalidKeyUsage", `${arn} is not a symmetric key.`);
    return this.inner.generateDataKey(keyRef, context, bytes);
  }

  authorizeUse(principal: Principal, keyArn: string, action: KeyUseAction, call: CallFacts): void {
    this.calls.push(`authorize ${action}`);
    const use = `${principal.arn} ${action} ${keyArn}`;
    this.uses.push(use);
    if (this.refused.has(principal.arn) || this.refused.has(use)) {
      throw new AppRunnerError("AccessDenied", `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${keyArn} because no identity-based policy allows the ${action} action`);
    }
    this.inner.authorizeUse(principal, keyArn, action, call);
  }
}
