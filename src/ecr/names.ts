import { invalidParameterAt } from "./errors.js";

/** ECR's repository names: lower-case path components joined by single separators (its own regex, as its messages print it). */
export const REPOSITORY_NAME_PATTERN = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";
const REPOSITORY_NAME = new RegExp(`^${REPOSITORY_NAME_PATTERN}$`);
export const REPOSITORY_NAME_MIN = 2;
export const REPOSITORY_NAME_MAX = 256;

/** Why `name` is not a repository name, in ECR's words; undefined when it is one. */
export function repositoryNameProblem(name: string): string | undefined {
  if (name.length < REPOSITORY_NAME_MIN) return `must have length greater than or equal to ${REPOSITORY_NAME_MIN}`;
  if (name.length > REPOSITORY_NAME_MAX) return `must have length less than or equal to ${REPOSITORY_NAME_MAX}`;
  if (!REPOSITORY_NAME.test(name)) return `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`;
  return undefined;
}

/** Throws ECR's InvalidParameterException for a name that is not a repository name. */
export function checkRepositoryName(name: string, where = "repositoryName"): string {
  const problem = repositoryNameProblem(name);
  if (problem !== undefined) throw invalidParameterAt(where, problem);
  return name;
}

/** Where a repository is: the account (ECR's registry id) and region it belongs to. */
export interface RegistryScope {
  region: string;
  accountId: string;
}

export const repositoryArn = (scope: RegistryScope, name: string): string => `arn:aws:ecr:${scope.region}:${scope.accountId}:repository/${name}`;

const ARN = /^arn:aws:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/;

/** The parts of an ECR repository ARN; undefined for anything else. */
export function parseRepositoryArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const m = ARN.exec(arn);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { region: m[1], accountId: m[2], name: m[3] };
}

/** What skopeo, podman, buildah and docker push to: the built-in registry's address and the name. */
export const repositoryUri = (registryAddress: string, name: string): string => `${registryAddress}/${name}`;
