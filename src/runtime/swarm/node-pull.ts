/**
 * Pure: where a swarm's nodes pull a deployment's image, and with which credentials. The engine
 * resolved the image on the control-plane host (a digest); every node pulls exactly that digest
 * itself, from the registry it names, through the same mirrors and credentials as this host's
 * pulls (registries.json), or from the built-in registry at the address nodes reach it.
 */
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parseImageReference } from "../../images/reference.js";
import { isEcrHost, REGISTRY_CONFIG_FILE, type RegistryConfig } from "../../images/registry-config.js";
import type { DeploymentImage } from "../driver.js";
import type { NodePull } from "./types.js";

/** The built-in registry as nodes reach it: the address it listens on, and a pull password (ECR's `AWS` user). */
export interface NodeRegistry {
  readonly address: string;
  isBuiltIn(host: string): boolean;
  password(): string;
}

/** Images built here that the registry could not keep carry this registry name: they are on the control-plane host only. */
const HOST_ONLY_REGISTRY = "openrunner.local";

export function nodePullOf(image: DeploymentImage, registries: { builtIn?: NodeRegistry; config: RegistryConfig }): NodePull {
  const ref = parseImageReference(image.identifier);
  const builtIn = registries.builtIn;
  if (ref.registry === HOST_ONLY_REGISTRY) {
    throw new AppRunnerError(
      "InstanceFailed",
      `The image ${image.identifier} was built on the control-plane host but could not be kept in the built-in registry, so the swarm's nodes cannot pull it. See the deployment log for why the push failed.`,
    );
  }
  if (builtIn?.isBuiltIn(ref.registry)) {
    return {
      reference: `${builtIn.address}/${ref.repository}@${image.digest}`,
      auth: { username: "AWS", password: builtIn.password(), serveraddress: builtIn.address },
    };
  }
  const mirror = registries.config.mirrors[ref.registry];
  const registry = mirror ?? ref.registry;
  if (mirror === undefined && isEcrHost(ref.registry)) {
    throw new AppRunnerError(
      "ImagePullFailed",
      `Image ${image.identifier} is in Amazon ECR registry ${ref.registry}, which the swarm's nodes cannot pull from directly. Map it to a registry they reach in ${REGISTRY_CONFIG_FILE}.`,
    );
  }
  const settings = registries.config.registries[registry] ?? {};
  const reference = `${registry}/${ref.repository}@${image.digest}`;
  if (settings.username !== undefined && settings.password !== undefined) {
    return { reference, auth: { username: settings.username, password: settings.password, serveraddress: registry } };
  }
  return { reference };
}
