import type { ControlPlaneModule, ModuleDeps } from "../modules.js";
import type { SecretValueReader } from "../domain/runtime-secrets.js";
import { AppRunnerError } from "../errors/app-runner-error.js";

/** Secrets Manager's API, and the reader deployments resolve secrets with (the composition root hands it to the engine). */
export interface SecretsManagerModule extends ControlPlaneModule {
  reader: SecretValueReader;
}

/** Stub: the Secrets Manager work replaces it. */
export function createSecretsManagerModule(_deps: ModuleDeps): SecretsManagerModule {
  return {
    name: "secretsmanager",
    reader: {
      secretString: () => {
        throw new AppRunnerError("ResourceNotFound", "Secrets Manager can't find the specified secret.");
      },
    },
  };
}
