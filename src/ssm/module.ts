import type { ControlPlaneModule, ModuleDeps } from "../modules.js";
import type { ParameterValueReader } from "../domain/runtime-secrets.js";
import { ssmAuthorization } from "./authorization.js";
import { Parameters } from "./parameters.js";
import { parameterReader } from "./reader.js";
import { ssmApi } from "./ssm-api.js";

/** SSM Parameter Store's API, and the reader deployments resolve parameters with. */
export interface SsmModule extends ControlPlaneModule {
  reader: ParameterValueReader;
}

/**
 * Parameter Store on the shared endpoint over the control-plane store, SecureString values under
 * `deps.keys` (without KMS, String and StringList only).
 */
export function createSsmModule(deps: ModuleDeps): SsmModule {
  const parameters = new Parameters({ store: deps.store, keys: deps.keys, place: { region: deps.config.region, accountId: deps.config.accountId } });
  const api = { ...ssmApi({ parameters }), authorization: ssmAuthorization(deps.config.region) };
  return {
    name: "ssm",
    apis: [api],
    reader: parameterReader({ parameters, authorizer: deps.authorizer, clock: deps.clock, random: deps.random, record: (call) => deps.recordApiCall({ ...call, api }) }),
  };
}
