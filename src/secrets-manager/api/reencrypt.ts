import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { KeyService } from "../../keys/key-service.js";
import type { SecretRow } from "../../store/secrets/secret-store.js";
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from "../stages.js";
import { openValue, sealValue, type Caller } from "../vault.js";
import type { SecretsEnv } from "./env.js";

const RE_ENCRYPTED = new Set([AWSCURRENT, AWSPENDING, AWSPREVIOUS]);

/**
 * After UpdateSecret changes a secret's key: the versions labeled AWSCURRENT, AWSPENDING and
 * AWSPREVIOUS are sealed again under the new key, as AWS does. A caller KMS does not let use the
 * old or the new key leaves them under the old one (AWS documents that too); that is logged.
 */
export function reencryptLabeled(env: SecretsEnv, keys: KeyService, caller: Caller, secret: SecretRow, except: string | undefined): void {
  const labeled = new Set([...env.secrets.stages(secret.arn)].filter(([label]) => RE_ENCRYPTED.has(label)).map(([, versionId]) => versionId));
  for (const versionId of labeled) {
    const version = versionId === except ? undefined : env.secrets.version(secret.arn, versionId);
    if (!version) continue;
    try {
      const value = openValue(keys, caller, secret.arn, version);
      try {
        const sealed = sealValue(keys, caller, secret.kmsKeyId, secret.arn, versionId, value);
        env.secrets.resealVersion(secret.arn, versionId, sealed.envelope, sealed.kmsKeyArn, sealed.customerKey);
      } finally {
        value.bytes.fill(0);
      }
    } catch (err) {
      if (!(err instanceof AppRunnerError && err.code === "AccessDenied")) throw err;
      env.logger("a secret version stays under its old KMS key: the caller may not use both keys", { secretArn: secret.arn, versionId, reason: err.message });
    }
  }
}
