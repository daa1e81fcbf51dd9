import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { LocalImageStore } from "../images/image-store.js";
import { repositoryComponent } from "../images/reference.js";
import type { PullResult } from "../images/types.js";
import type { HostLayout } from "../executor/types.js";
import type { SourceConfiguration } from "@aws-sdk/client-apprunner";
import type { Wire } from "../protocol/wire.js";
import type { GitAuth, GitSources } from "../sources/git/repository.js";
import { assembleImage } from "./assemble/assemble.js";
import { planFromApi } from "./config/api-values.js";
import { DEFAULT_PORT, parseApprunnerYaml } from "./config/apprunner-yaml.js";
import { chooseVersion } from "./config/runtime-version.js";
import type { RuntimeCatalog } from "./runtimes/catalog.js";
import { buildDockerfile } from "./dockerfile/dockerfile-build.js";
import type { DockerfileRegistries } from "./dockerfile/registries.js";
import { chooseBuild, DEFAULT_DOCKERFILE, type DockerfilePlan } from "./dockerfile/plan.js";
import { runBuild } from "./sandbox/run-build.js";
import type { BuildLimits } from "./sandbox/spec.js";
import type { BuildPlan, ConfigProblem } from "./types.js";

export interface SourceBuilderOptions {
  git: GitSources;
  runtimes: RuntimeCatalog;
  images: LocalImageStore;
  /** `<data-dir>/build-cache` (npm, pip caches per service) and `<data-dir>/builds` (scratch). */
  dataDir: string;
  /** The token of a service's connection, for private repositories. */
  auth: (req: BuildRequest) => GitAuth | undefined;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** The runtime's host layout: builds get network namespaces among its slots, behind its firewall. */
  layout: HostLayout;
  /** How Dockerfile builds reach the registries their FROM lines name. */
  registries?: DockerfileRegistries;
}

/** One deployment's build: the service's source configuration and the size its build may use. */
export interface BuildRequest {
  serviceId: string;
  serviceName: string;
  /** Names the build's scratch directory; a build of the same deployment again starts afresh. */
  deploymentId: string;
  source: Wire<SourceConfiguration>;
  /** The build gets the service's own size, so a build cannot starve running services. */
  limits: BuildLimits;
}

/** The parts of a build, each bounded by the caller (a fetch, a runtime and a build take very different times). */
export type BuildStep = "source" | "runtime" | "build" | "import";

/** How a build reports progress: lines go to the deployment log; abort means stop early. */
export interface BuildContext {
  log(line: string): void;
  signal: AbortSignal;
  /** The step the build is in from now on. */
  step?(step: BuildStep): void;
}

/** What a source deployment runs: an image in the store, with the commit and port it came from. */
export interface BuiltSource {
  pulled: PullResult;
  commit: string;
  port: number;
}

const CONFIG_FILE = "apprunner.yaml";

/**
 * Source code -> image: checks out the branch's newest commit, reads the build configuration
 * (apprunner.yaml or the API's values), provides the runtime, runs the build phases in a
 * sandbox and stores the result as an OCI image, which the driver then runs like any image.
 */
export class SourceBuilder {
  constructor(private readonly opts: SourceBuilderOptions) {}

  async build(spec: BuildRequest, ctx: BuildContext): Promise<BuiltSource> {
    const code = spec.source.CodeRepository;
    if (!code?.RepositoryUrl) throw new AppRunnerError("BuildFailed", "The service has no CodeRepository to build.");
    const log = (line: string): void => ctx.log(line.startsWith("[") ? line : `[AppRunner] ${line}`);
    ctx.step?.("source");
    const checkout = await this.opts.git.checkout({
      serviceId: spec.serviceId,
      url: code.RepositoryUrl,
      branch: code.SourceCodeVersion?.Value ?? "main",
      sourceDirectory: code.SourceDirectory,
      auth: this.opts.auth(spec),
      log,
      signal: ctx.signal,
    });
    log(`Deploying commit ${checkout.commit} (${checkout.ref}): ${checkout.subject}`);
    const choice = await this.choose(spec, checkout.dir, log);
    if (choice.kind === "dockerfile") return this.buildFromDockerfile(spec, ctx, checkout, choice.plan, log);
    const plan = choice.plan;
    const engines = await packageEnginesNode(checkout.dir);
    const available = await this.opts.runtimes.availableVersions(plan.runtime, ctx.signal);
    const chosen = chooseVersion(plan.runtime, plan.runtimeVersion, available, engines);
    if (!chosen.version) fail(log, plan.source, [chosen.problem ?? { key: "runtime", message: "no runtime version can be provided" }]);
    ctx.step?.("runtime");
    for (const warning of chosen.warnings ?? []) log(`Warning: ${warning}.`);
    const runtime = await this.opts.runtimes.ensure(plan.runtime, chosen.version, log, ctx.signal);
    log(`Building with ${runtime.runtime} ${runtime.version}.`);
    const workDir = join(this.opts.dataDir, "builds", spec.deploymentId);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    try {
      ctx.step?.("build");
      const built = await runBuild({
        runtime,
        sourceDir: checkout.dir,
        plan,
        cacheDir: join(this.opts.dataDir, "build-cache", spec.serviceId),
        workDir,
        limits: spec.limits,
        log,
        signal: ctx.signal,
        layout: this.opts.layout,
      });
      ctx.step?.("import");
      const image = await assembleImage({
        runtime,
        appDir: built.appDir,
        layerDir: built.layerDir,
        plan,
        commit: checkout.commit,
        images: this.opts.images,
        // Service names may have capitals; a reference may not.
        repository: repositoryComponent(spec.serviceName),
        workDir: join(workDir, "image"),
        log,
        signal: ctx.signal,
      });
      const pulled = await this.opts.images.pull(image.imageRef, { log, signal: ctx.signal });
      return { pulled, commit: checkout.commit, port: plan.port };
    } finally {
      await rm(workDir, { recursive: true, force: true }).catch((err: unknown) =>
        this.opts.logger("removing a build's scratch directory failed", { workDir, error: String(err) }),
      );
    }
  }

  async cleanup(serviceId: string): Promise<void> {
    await this.opts.git.cleanup(serviceId);
    await rm(join(this.opts.dataDir, "build-cache", serviceId), { recursive: true, force: true });
  }

  /** A Dockerfile build (OpenRunner's extension, dockerfile/plan.ts) or the managed runtime's plan. */
  private async choose(
    spec: BuildRequest,
    dir: string,
    log: (line: string) => void,
  ): Promise<{ kind: "managed"; plan: BuildPlan } | { kind: "dockerfile"; plan: DockerfilePlan }> {
    const cfg = spec.source.CodeRepository?.CodeConfiguration;
    if (cfg?.ConfigurationSource === "API") {
      const { plan, problems } = planFromApi(cfg.CodeConfigurationValues ?? { Runtime: undefined });
      if (!plan || problems.length > 0) fail(log, "API", problems);
      log("Using the build settings of the service (CodeConfigurationValues); apprunner.yaml is ignored.");
      return { kind: "managed", plan };
    }
    let text: string | undefined;
    try {
      text = await readFile(join(dir, CONFIG_FILE), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new AppRunnerError("BuildFailed", `${CONFIG_FILE} could not be read: ${(err as Error).message}`, { cause: err });
      }
    }
    const hasDockerfile = await stat(join(dir, DEFAULT_DOCKERFILE)).then((s) => s.isFile(), () => false);
    const choice = chooseBuild({ configurationSource: "REPOSITORY", ...(text !== undefined ? { apprunnerYaml: text } : {}), hasDockerfile });
    if (choice.kind === "invalid") fail(log, CONFIG_FILE, choice.problems);
    if (choice.kind === "dockerfile") {
      const why = choice.plan.source === "Dockerfile" ? `no ${CONFIG_FILE}, and a ${DEFAULT_DOCKERFILE} in the source directory` : `${CONFIG_FILE} names it (openrunner.dockerfile)`;
      log(`Using ${choice.plan.dockerfile} (${why}): a Dockerfile build, an OpenRunner extension.`);
      return choice;
    }
    if (text === undefined) {
      return fail(log, CONFIG_FILE, [{ key: "(file)", message: `${CONFIG_FILE} was not found in the source directory; add it (or a ${DEFAULT_DOCKERFILE}), or configure the build in the service (ConfigurationSource API).` }]);
    }
    const { plan, problems } = parseApprunnerYaml(text);
    if (!plan || problems.length > 0) fail(log, CONFIG_FILE, problems);
    log(`Using ${CONFIG_FILE} (runtime ${plan.runtime}${plan.runtimeVersion ? `, runtime-version ${plan.runtimeVersion}` : ""}).`);
    return { kind: "managed", plan };
  }

  private async buildFromDockerfile(
    spec: BuildRequest,
    ctx: BuildContext,
    checkout: { dir: string; commit: string },
    plan: DockerfilePlan,
    log: (line: string) => void,
  ): Promise<BuiltSource> {
    const workDir = join(this.opts.dataDir, "builds", spec.deploymentId);
    await rm(workDir, { recursive: true, force: true });
    try {
      ctx.step?.("build");
      const pulled = await buildDockerfile(
        { dataDir: this.opts.dataDir, images: this.opts.images, layout: this.opts.layout, ...(this.opts.registries ? { registries: this.opts.registries } : {}) },
        { serviceId: spec.serviceId, serviceName: repositoryComponent(spec.serviceName), commit: checkout.commit, sourceDir: checkout.dir, workDir, plan, limits: spec.limits, log, signal: ctx.signal },
      );
      return { pulled, commit: checkout.commit, port: pulled.image.config.exposedPorts[0] ?? DEFAULT_PORT };
    } finally {
      await rm(workDir, { recursive: true, force: true }).catch((err: unknown) =>
        this.opts.logger("removing a build's scratch directory failed", { workDir, error: String(err) }),
      );
    }
  }
}

/** Logs every problem with its key and line, then fails the deployment. */
function fail(log: (line: string) => void, source: string, problems: readonly ConfigProblem[]): never {
  for (const p of problems) log(`${source}${p.line ? ` line ${p.line}` : ""}: ${p.key}: ${p.message}`);
  const first = problems[0];
  const where = first ? `${first.line ? `line ${first.line}, ` : ""}${first.key}: ${first.message}` : "invalid configuration";
  throw new AppRunnerError("BuildFailed", `${source} is not valid (${problems.length} problem${problems.length === 1 ? "" : "s"}; ${where})`);
}

/** package.json's engines.node, when the source has one. */
async function packageEnginesNode(dir: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { engines?: { node?: unknown } };
    return typeof pkg.engines?.node === "string" ? pkg.engines.node : undefined;
  } catch {
    return undefined; // No (or no readable) package.json: nothing to check against.
  }
}
