import { AppRunnerError, invalidRequest } from "../errors/app-runner-error.js";
import type { CallFacts } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import type { KeyService, KeyView } from "../keys/key-service.js";
import { SERVICE_DATA_KEY_CONTEXT } from "../keys/service-keyring.js";
import type { ControlPlaneConfig } from "./config.js";

/** What CreateService reads of the call to check a service's key. */
export interface KeyCheckContext {
  keys?: KeyService;
  config: ControlPlaneConfig;
  principal: Principal;
  call: CallFacts;
}

const KMS_ERROR = /^Kms/;

/**
 * CreateService's EncryptionConfiguration.KmsKey: a key of this account and region that exists,
 * is Enabled and makes symmetric data keys, which the caller may use as App Runner's policy asks
 * (kms:DescribeKey and kms:CreateGrant). Without a key, App Runner's AWS managed key
 * (`aws/apprunner`) is made on first use, as AWS does, so it shows in ListAliases.
 */
export function checkServiceKey(ctx: KeyCheckContext, kmsKey: string | undefined): void {
  const { keys } = ctx;
  if (kmsKey === undefined) {
    keys?.managedKey("aws/apprunner");
    return;
  }
  if (!keys) throw invalidRequest(`EncryptionConfiguration.KmsKey ${kmsKey} cannot be used: this control plane runs without KMS.`);
  const [, , , region, account] = kmsKey.split(":");
  if (region !== ctx.config.region || account !== ctx.config.accountId) {
    throw invalidRequest(
      `EncryptionConfiguration.KmsKey ${kmsKey} is not a key of this account and region (${ctx.config.accountId}, ${ctx.config.region}).`,
    );
  }
  let key: KeyView;
  try {
    key = keys.describe(kmsKey);
  } catch (err) {
    throw asKeyProblem(err, kmsKey, "does not exist");
  }
  if (key.state !== "Enabled") {
    throw invalidRequest(`EncryptionConfiguration.KmsKey ${kmsKey} is ${stateWords(key)}: App Runner needs an Enabled key to encrypt the service with.`);
  }
  keys.authorizeUse(ctx.principal, key.arn, "kms:DescribeKey", ctx.call);
  keys.authorizeUse(ctx.principal, key.arn, "kms:CreateGrant", ctx.call);
  try {
    keys.generateDataKey(key.arn, SERVICE_DATA_KEY_CONTEXT, 32).plaintext.fill(0);
  } catch (err) {
    throw asKeyProblem(err, kmsKey, "cannot make data keys (App Runner needs a symmetric encryption key)");
  }
}

/**
 * What a new deployment checks of the service's key before it does anything: a disabled, pending
 * deletion or deleted key stops it (the running version keeps serving). No key, no check.
 */
export function assertServiceKeyUsable(keys: KeyService | undefined, kmsKey: string | undefined): void {
  if (kmsKey === undefined) return;
  let problem: string | undefined;
  if (!keys) {
    problem = "not available (this control plane runs without KMS)";
  } else {
    try {
      const key = keys.describe(kmsKey);
      if (key.state !== "Enabled") problem = stateWords(key);
    } catch (err) {
      if (!(err instanceof AppRunnerError) || !KMS_ERROR.test(err.code)) throw err;
      problem = "deleted or not found";
    }
  }
  if (problem === undefined) return;
  throw new AppRunnerError(
    "EncryptionKeyUnusable",
    `The service's configuration cannot be decrypted: the service's KMS key ${kmsKey} is ${problem}. ` +
      `Enable it (or cancel its deletion) with KMS, and deploy again.`,
  );
}

function stateWords(key: KeyView): string {
  return key.state === "PendingDeletion" ? "pending deletion" : key.state === "Disabled" ? "disabled" : key.state;
}

/** KMS's refusal in App Runner's words (InvalidRequestException); anything else as it is. */
function asKeyProblem(err: unknown, kmsKey: string, what: string): unknown {
  if (err instanceof AppRunnerError && KMS_ERROR.test(err.code)) {
    return new AppRunnerError("InvalidRequest", `EncryptionConfiguration.KmsKey ${kmsKey} ${what}: ${err.message}`, { cause: err });
  }
  return err;
}
