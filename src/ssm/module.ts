import type { ControlPlaneModule, ModuleDeps } from "../modules.js";
import type { ParameterValueReader } from "../domain/runtime-secrets.js";
import { AppRunnerError } from "../errors/app-runner-error.js";

/** SSM Parameter Store's API, and the reader deployments resolve parameters with. */
export interface SsmModule extends ControlPlaneModule {
  reader: ParameterValueReader;
}

/** Stub: the Parameter Store work replaces it. */
export function createSsmModule(_deps: ModuleDeps): SsmModule {
  return {
    name: "ssm",
    reader: {
      parameterValue: () => {
        throw new AppRunnerError("ParameterNotFound", "The parameter was not found.");
      },
    },
  };
}
