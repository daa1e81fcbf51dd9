import { performance } from "node:perf_hooks";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { ImageToPush } from "../registry/built-in.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import { repositoryArn, type RegistryScope } from "./names.js";
import { RepositoryStore } from "./repository-store.js";

/** Where every service's build repository is: under one prefix, so they read as App Runner's in a listing. */
export const BUILD_REPOSITORY_PREFIX = "apprunner/";

/**
 * Pure: the repository where a source-code service's builds keep their images. The service
 * name (App Runner's `[A-Za-z0-9][A-Za-z0-9-_]{3,39}`) made a valid ECR path component
 * (lower case, one separator between alphanumerics), then the service id, which makes it
 * unique: a service deleted and created again under its name gets a repository of its own.
 * The console names it the same way (`serviceBuildRepository` in console/src/api/image-source.ts).
 */
export function serviceBuildRepository(serviceName: string, serviceId: string): string {
  const name = serviceName
    .toLowerCase()
    .replace(/[-_]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${BUILD_REPOSITORY_PREFIX}${name}/${serviceId.toLowerCase()}`;
}

/** The image store as the keeper reads it: a built image's manifest and blob files, no network. */
export interface BuiltImageSource {
  storedManifest(manifestDigest: string): Promise<ImageToPush | undefined>;
}

/** The registry as the keeper writes to it. */
export interface BuildImageRegistry {
  readonly address: string;
  pushImage(repository: string, tag: string, image: ImageToPush): Promise<string>;
  deleteRepository(repositoryName: string): Promise<void>;
}

export interface BuildRepositoriesOptions {
  registry: BuildImageRegistry;
  images: BuiltImageSource;
  repositories: RepositoryStore;
  /** For the repositories' resource tags, removed with them. */
  store: Store;
  scope: RegistryScope;
  clock: Clock;
}

/**
 * Source builds keep their images in the built-in registry: one ECR repository per service
 * (made by its first build, MUTABLE and AES256 as CreateRepository's defaults, so
 * describe-repositories and describe-images show it), one image per deployment tagged with the
 * deployment's id. Any machine that runs the service can pull them; a resume whose image left
 * this host pulls it from there. Deleting the service deletes its repository.
 */
export class BuildRepositories {
  constructor(private readonly opts: BuildRepositoriesOptions) {}

  identifierOf(service: { serviceId: string; serviceName: string }, digest: string): string {
    return `${this.opts.registry.address}/${serviceBuildRepository(service.serviceName, service.serviceId)}@${digest}`;
  }

  async keep(build: { serviceId: string; serviceName: string; deploymentId: string }, manifestDigest: string, ctx: { log(line: string): void }): Promise<string> {
    const repository = serviceBuildRepository(build.serviceName, build.serviceId);
    const image = await this.opts.images.storedManifest(manifestDigest);
    if (!image) throw new AppRunnerError("InternalServiceError", `The built image ${manifestDigest} is not whole in this host's image store.`);
    const started = performance.now();
    this.opts.repositories.insert({
      name: repository,
      createdAt: this.opts.clock.now(),
      tagMutability: "MUTABLE",
      scanOnPush: false,
      encryption: { encryptionType: "AES256" },
    });
    const pushed = await this.opts.registry.pushImage(repository, build.deploymentId, image);
    if (pushed && pushed !== manifestDigest) {
      throw new AppRunnerError("InternalServiceError", `The built-in registry stored the built image ${manifestDigest} as ${pushed}.`);
    }
    const ms = Math.round(performance.now() - started);
    ctx.log(`[AppRunner] Kept the image in the built-in registry as ${this.opts.registry.address}/${repository}:${build.deploymentId} (${manifestDigest}) in ${ms} ms.`);
    return this.identifierOf(build, manifestDigest);
  }

  /** Removes every build repository of the service, images first: a failure there leaves the repository to delete again. */
  async forget(serviceId: string): Promise<void> {
    const suffix = `/${serviceId.toLowerCase()}`;
    const mine = this.opts.repositories.list().filter((r) => r.name.startsWith(BUILD_REPOSITORY_PREFIX) && r.name.endsWith(suffix));
    for (const r of mine) {
      await this.opts.registry.deleteRepository(r.name);
      this.opts.store.tx(() => {
        this.opts.repositories.delete(r.name);
        this.opts.store.tags.removeAll(repositoryArn(this.opts.scope, r.name));
      });
    }
  }
}

/** The composition root's keeper: the ECR repositories of this account's region over the built-in registry. */
export function buildRepositories(deps: { registry: BuildImageRegistry; images: BuiltImageSource; store: Store; config: RegistryScope; clock: Clock }): BuildRepositories {
  const scope = { region: deps.config.region, accountId: deps.config.accountId };
  return new BuildRepositories({ ...deps, scope, repositories: new RepositoryStore(deps.store, scope.region) });
}
