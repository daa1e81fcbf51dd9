import type { KeyAdministration } from "../../keys/key-administration.js";
import type { EndpointDeps, EnvHandler } from "../../protocol/context.js";
import type { TagRepository } from "../../store/tags.js";

/** What KMS's operations share beyond the request context: the key service and the keys' tags. */
export interface KmsEnv {
  keys: KeyAdministration;
  tags: TagRepository;
}

/** KMS's handlers need nothing of the endpoint's deps beyond the framework's own: any endpoint may serve them. */
export type KmsHandler = EnvHandler<EndpointDeps, KmsEnv>;
