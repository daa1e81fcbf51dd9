import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { KmsHandler } from "./env.js";
import { keyIdOf } from "./input.js";

/*
 * OpenRunner never rotates key material, so every key answers that rotation is off (tools such
 * as Terraform's aws_kms_key read it on every refresh), and turning it on or off is refused in
 * KMS's words rather than accepted and then not done.
 */

const getKeyRotationStatus: KmsHandler = (raw, _ctx, env) => ({
  KeyId: env.keys.record(keyIdOf((raw as { KeyId?: string }).KeyId)).arn,
  KeyRotationEnabled: false,
});

const refuse: KmsHandler = (raw, _ctx, env) => {
  env.keys.record(keyIdOf((raw as { KeyId?: string }).KeyId));
  throw new AppRunnerError("KmsUnsupportedOperation", "Automatic key rotation is not supported: OpenRunner's KMS keys keep their key material.");
};

export const rotationOperations: Record<string, KmsHandler> = {
  GetKeyRotationStatus: getKeyRotationStatus,
  EnableKeyRotation: refuse,
  DisableKeyRotation: refuse,
};
