import { AppRunnerError } from "../errors/app-runner-error.js";
import type { MemberKeyring } from "../store/sealed-json.js";
import type { EncryptionContext, KeyService } from "./key-service.js";

/** Bound to every data key a service's configuration is sealed with, as App Runner names its own use. */
export const SERVICE_DATA_KEY_CONTEXT: EncryptionContext = { "aws:apprunner:purpose": "service-configuration" };

/**
 * The data keys services with an EncryptionConfiguration.KmsKey are sealed with: one per KMS key
 * for the life of the process (made with GenerateDataKey, kept only wrapped by that key in the
 * store), and every wrapped key opened once and then held in memory, as App Runner holds a grant.
 * So ListServices and DescribeService do not call KMS per row, and a key disabled while the
 * server runs keeps its services readable; after a restart, members under a key that refuses
 * stay sealed (the row reads without them) until the key is enabled again.
 */
export function serviceKeyring(keys: KeyService): MemberKeyring {
  const current = new Map<string, { keyArn: string; key: Buffer; wrappedKey: string }>();
  const opened = new Map<string, Buffer>();
  return {
    dataKey(keyRef) {
      const arn = keys.describe(keyRef).arn;
      let entry = current.get(arn);
      if (!entry) {
        const made = dataKeyOf(keys, arn);
        entry = { keyArn: made.keyArn, key: Buffer.from(made.plaintext), wrappedKey: made.ciphertextBlob.toString("base64") };
        made.plaintext.fill(0);
        current.set(arn, entry);
        opened.set(entry.wrappedKey, entry.key);
      }
      return entry;
    },
    openDataKey(keyArn, wrappedKey) {
      const known = opened.get(wrappedKey);
      if (known) return known;
      const { plaintext } = keys.decrypt(Buffer.from(wrappedKey, "base64"), SERVICE_DATA_KEY_CONTEXT, keyArn);
      opened.set(wrappedKey, plaintext);
      return plaintext;
    },
  };
}

/** A new data key; a key that refuses is the service's problem, told in App Runner's words. */
function dataKeyOf(keys: KeyService, arn: string): ReturnType<KeyService["generateDataKey"]> {
  try {
    return keys.generateDataKey(arn, SERVICE_DATA_KEY_CONTEXT, 32);
  } catch (err) {
    if (!(err instanceof AppRunnerError) || !err.code.startsWith("Kms")) throw err;
    throw new AppRunnerError(
      "EncryptionKeyUnusable",
      `The service's configuration cannot be encrypted: its KMS key ${arn} refuses (${err.message}). Enable it (or cancel its deletion) with KMS, and try again.`,
      { cause: err },
    );
  }
}
