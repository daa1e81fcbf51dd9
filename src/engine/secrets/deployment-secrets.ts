import type { ServiceDoc } from "../../domain/service-record.js";
import type { RuntimeSecretResolver } from "../../domain/runtime-secrets.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ResolvedArtifact } from "../artifact/types.js";

/**
 * Pure: the secret references of the version a deployment runs. An image service's are its
 * ImageConfiguration's; a code service's travel with its built image (the artifact), whatever
 * the service's configuration says now, so a resume or rollback runs the secrets it was built with.
 */
export function secretReferencesOf(doc: Pick<ServiceDoc, "SourceConfiguration">, artifact: Pick<ResolvedArtifact, "secrets">): Record<string, string> {
  const image = doc.SourceConfiguration?.ImageRepository;
  if (image) return { ...(image.ImageConfiguration?.RuntimeEnvironmentSecrets ?? {}) };
  return { ...(artifact.secrets ?? {}) };
}

/**
 * The values of a deployment's secrets, read now (every deployment reads again, so a rotated
 * secret reaches the next one). Lines name the variables only. Undefined when there are none.
 */
export async function resolveDeploymentSecrets(input: {
  resolver: RuntimeSecretResolver | undefined;
  serviceArn: string;
  instanceRoleArn: string | undefined;
  references: Readonly<Record<string, string>>;
  log: (line: string) => void;
}): Promise<Record<string, string> | undefined> {
  const names = Object.keys(input.references);
  if (names.length === 0) return undefined;
  const [first = ""] = names;
  if (!input.resolver) {
    throw new AppRunnerError("SecretUnavailable", `The secret ${first} (${input.references[first] ?? ""}) could not be read: this OpenRunner has no secrets store to read it from.`);
  }
  input.log(`[AppRunner] Reading ${names.length} secret${names.length === 1 ? "" : "s"} (${names.join(", ")}) with the instance role ${input.instanceRoleArn ?? "(none)"}.`);
  return input.resolver.resolve({ serviceArn: input.serviceArn, ...(input.instanceRoleArn ? { instanceRoleArn: input.instanceRoleArn } : {}), references: input.references });
}
