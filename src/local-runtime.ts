/*
 * The local runtime's composition, beside the composition root (server.ts): for one data
 * directory, the image store, the HAProxy data plane, the source builder, the driver that runs
 * instances (runc on this host, or a Docker Swarm's nodes with `swarm` in the settings), the
 * autoscaler and samplers, and automatic deployment, wired together.
 */
import { join } from "node:path";
import { type Clock } from "./util/clock.js";
import { type Random } from "./util/random.js";
import { Store } from "./store/store.js";
import { LocalImageStore } from "./images/image-store.js";
import { loadRegistryConfig } from "./images/registry-config.js";
import type { InstanceDirectory } from "./domain/instances.js";
import { retainedImageDigests } from "./domain/deployment-records.js";
import type { LifecycleDeps } from "./domain/service-lifecycle.js";
import { type HttpRoute } from "./modules.js";
import { type LogSink } from "./telemetry/log-sink.js";
import { concurrencySampler } from "./telemetry/metrics/concurrency-sampler.js";
import type { MetricsRecorder, ServiceUsageRecorder } from "./telemetry/metrics/recorder.js";
import { ServiceEventRecorder } from "./telemetry/service-events.js";
import { RequestLogReceiver } from "./router/request-log.js";
import { HaproxyRouter } from "./router/router.js";
import { edgeRouters } from "./router/edge/edge-routers.js";
import { Autoscaler } from "./autoscaler/autoscaler.js";
import { idlePeriods, withIdlePeriods } from "./runtime/idle-periods.js";
import { ImageWatcher } from "./sources/image-watcher.js";
import { registryNotificationsRoute, registryNotifyToken } from "./sources/registry-notifications.js";
import { CodeWatcher } from "./sources/git/code-watcher.js";
import { sourceAuth, type MasterKey } from "./sources/git/connection-token.js";
import { GitSources } from "./sources/git/repository.js";
import { gitWebhookRoute, gitWebhookSecret } from "./sources/git/webhook.js";
import { registriesFromConfig } from "./builder/dockerfile/registries.js";
import { RuntimeCatalog } from "./builder/runtimes/catalog.js";
import { SourceBuilder } from "./builder/source-builder.js";
import { localInstanceDirectory, swarmInstanceDirectory } from "./runtime/instance-directory.js";
import { LocalRuntimeDriver } from "./runtime/local/driver.js";
import type { RecordSealer } from "./runtime/local/records.js";
import { dataPlaneRouter } from "./runtime/local/data-plane.js";
import { CanaryMeasurements } from "./router/canary-measure.js";
import { serviceRefs } from "./runtime/local/service-refs.js";
import { hostLayout, type LocalRuntimeSettings } from "./runtime/local/setup.js";
import { UsageSampler, type SampledInstance } from "./runtime/local/usage-sampler.js";
import { builtInBaseImages, type RunningRegistry } from "./registry/built-in-registry.js";
import type { RuntimeDriver } from "./runtime/driver.js";
import type { ScalableService } from "./autoscaler/autoscaler.js";
import { EngineApi } from "./runtime/swarm/engine-api.js";
import { SwarmRuntimeDriver } from "./runtime/swarm/driver.js";
import { nodePullOf } from "./runtime/swarm/node-pull.js";
import { engineUsage } from "./runtime/swarm/task-usage.js";
import { checkSwarm, describeSwarm, formatSwarmProblems } from "./runtime/swarm/preflight.js";
import { AppRunnerError } from "./errors/app-runner-error.js";
import { ensureFirewall, removeFirewall, type GatewayService } from "./executor/firewall.js";
import type { HostLayout } from "./executor/types.js";
import type { RegistryConfig } from "./images/registry-config.js";
import type { BackendLoad, TrafficRouter } from "./router/types.js";


/** What the composition needs of a driver beside the engine's contract: lifecycle and autoscaling. */
export interface HostDriver extends RuntimeDriver {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** desired 0 only when scalesToZero: the service's route stays, and the data plane holds its requests. */
  scale(serviceId: string, desired: number, reason: string): Promise<void>;
  scalingView(): ScalableService[];
  /**
   * Scale to zero (issue 20): scale(id, 0) stops the last instance but keeps the route (requests
   * are held, not refused), and a held request wakes it through scale(id, n). A driver without
   * it keeps every service at MinSize >= 1 whatever its tag says.
   */
  readonly scalesToZero: boolean;
  /** Serving instances with what CPUUtilization and MemoryUtilization are relative to. */
  sampledInstances(): SampledInstance[];
}

export interface LocalRuntime {
  driver: HostDriver;
  /** The driver's instances for ListServiceInstances, each with the node it runs on. */
  instances: InstanceDirectory;
  images: LocalImageStore;
  /** Builds source-code services into images in `images`, for the engine's artifact phase. */
  builder: SourceBuilder;
  imageWatcher: ImageWatcher;
  codeWatcher: CodeWatcher;
  router: HaproxyRouter | undefined;
  routes: HttpRoute[];
  notifyToken: string;
  /** The instance role of a running instance (undefined: gone, none, or a Swarm task: not supported there yet). */
  instanceRoleOf(instanceId: string): string | undefined;
  /** Data plane, instances, autoscaler, samplers and automatic deployment, in dependency order. */
  start(): Promise<void>;
  /** Everything start() started, in reverse; nothing is left on the machine afterwards. */
  stop(): Promise<void>;
}

export interface LocalRuntimeDeps {
  dataDir: string;
  /** What connection tokens are sealed with (`--master-key-file`); absent: the data directory's own secret.key. */
  masterKey?: MasterKey;
  store: Store;
  clock: Clock;
  random: Random;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  logs: LogSink;
  events: ServiceEventRecorder;
  /** Where request, instance and service metrics go (the metrics module); absent: not recorded. */
  metrics?: MetricsRecorder & ServiceUsageRecorder;
  region: string;
  baseDomain: string;
  settings: LocalRuntimeSettings;
  registry: RunningRegistry | undefined;
  accountId: string;
  /** What automatic deployment starts operations with (domain/service-lifecycle.ts). */
  lifecycle: LifecycleDeps;
  /**
   * Instance roles (runc instances): the host service instances reach at their gateway (the
   * control plane's endpoint, known once it listens) and the environment that leads an instance
   * with a role to its credentials there.
   */
  instanceRoles?: {
    gateway: () => GatewayService | undefined;
    env: (instanceId: string, gateway: string) => Record<string, string>;
  };
  /** The data directory's key (the store's SecretBox): deployment records keep their environment sealed under it. */
  sealer: RecordSealer;
}

const DEFAULT_IMAGE_POLL_MS = 60_000;
const DEFAULT_CODE_POLL_MS = 60_000;

/**
 * The local runtime for one data directory: the image store, the HAProxy data plane, the
 * source builder, the runc driver, the autoscaler and samplers, and automatic deployment.
 */
export async function createLocalRuntime(deps: LocalRuntimeDeps): Promise<LocalRuntime> {
  const { settings, logger, clock } = deps;
  const registryConfig = await loadRegistryConfig(deps.dataDir);
  const images = new LocalImageStore({ dir: join(deps.dataDir, "images"), config: { ...registryConfig, builtIn: deps.registry }, logger });
  const refs = serviceRefs(deps.store, clock);
  // A gradual rollout's abort decision reads the new version's responses from the request log.
  const canaries = new CanaryMeasurements(() => clock.now());
  const router = dataPlaneRouter({ ...deps, logger, canaries });
  // Edge routers (`openrunner router` on other machines) follow the same routes and report their
  // load: the autoscaler and the concurrency sampler see the sum over every router, and drivers
  // drain through them too.
  const edges = router ? edgeRouters({ local: router, dataDir: deps.dataDir, clock, random: deps.random, logger }) : undefined;
  const requestLog =
    deps.metrics && router
      ? new RequestLogReceiver({
          recorder: deps.metrics,
          services: refs,
          clock,
          logger,
          counters: () => router.counters(),
          canary: (serviceId, status, totalMs) => canaries.record(serviceId, status, totalMs),
        })
      : undefined;
  const layout = hostLayout(deps.store, deps.dataDir, deps.random, settings);
  const git = new GitSources({ dir: join(deps.dataDir, "sources"), logger });
  const builder = new SourceBuilder({
    git,
    runtimes: new RuntimeCatalog({ dir: settings.runtimesDir ?? join(deps.dataDir, "runtimes"), logger }),
    images,
    dataDir: deps.dataDir,
    auth: (spec) => sourceAuth(deps.store, deps.masterKey ?? deps.dataDir, spec.source),
    logger,
    layout,
    registries: registriesFromConfig(registryConfig, deps.registry && builtInBaseImages(deps.registry, deps.accountId, clock)),
  });
  const codeWatcher = new CodeWatcher({
    deps: deps.lifecycle,
    resolve: (url, branch, auth, signal) => git.resolve(url, branch, auth, signal),
    dataDir: deps.dataDir,
    ...(deps.masterKey !== undefined ? { masterKey: deps.masterKey } : {}),
    pollMs: settings.codePollMs ?? DEFAULT_CODE_POLL_MS,
    logger,
  });
  const webhook = gitWebhookRoute({ secret: gitWebhookSecret(deps.dataDir), onPush: (p) => codeWatcher.onPush(p), logger });
  const swarmApi = settings.swarm ? await EngineApi.connect(settings.swarm.dockerHost) : undefined;
  const driver = swarmApi
    ? swarmDriver(deps, swarmApi, layout, registryConfig, edges?.router)
    : new LocalRuntimeDriver({
        runtimeDir: join(deps.dataDir, "runtime"),
        layout,
        images,
        clock,
        random: deps.random,
        logs: deps.logs,
        serviceEvent: (service, message) => deps.events.eventsLine(service, message),
        logger,
        startupBudgetMs: settings.startupBudgetMs,
        stopGraceMs: settings.stopGraceMs,
        wakeAhead: settings.wakeAhead,
        superviseMs: settings.superviseMs,
        router: edges?.router,
        persistedRoutes: router ? () => router.routes() : undefined,
        serviceExists: (serviceId) => refs(serviceId) !== undefined,
        // Open operations' images, and every retained deployment's: a rollback finds its image here, never pulls it.
        pendingImages: () => [
          ...deps.store.operations.listOpen().flatMap((op) => (op.state.artifact ? [op.state.artifact.digest, op.state.artifact.manifestDigest] : [])),
          ...retainedImageDigests(deps.store),
        ],
        ...(deps.instanceRoles ? { gateway: deps.instanceRoles.gateway, instanceRoleEnv: deps.instanceRoles.env } : {}),
        sealer: deps.sealer,
      });
  const idleOf = idlePeriods(deps.store, clock, { minMs: settings.scaleToZeroMinIdleMs });
  const dataPlaneLoad = async (): Promise<BackendLoad[]> => (edges ? edges.load() : []);
  const autoscaler = router
    ? new Autoscaler({
        clock,
        intervalMs: settings.autoscaleIntervalMs,
        windows: settings.autoscaleWindows,
        load: dataPlaneLoad,
        services: () => (driver.scalesToZero ? withIdlePeriods(driver.scalingView(), idleOf) : driver.scalingView()),
        scale: (serviceId, desired, reason) => driver.scale(serviceId, desired, reason),
        logger,
      })
    : undefined;
  // A Swarm task's CPU and memory come from the Engine API's container stats, not this host's cgroups.
  const usage = deps.metrics
    ? new UsageSampler({
        instances: () => driver.sampledInstances(),
        services: refs,
        recorder: deps.metrics,
        clock,
        intervalMs: settings.usageSampleMs,
        logger,
        ...(swarmApi ? { usage: engineUsage(swarmApi) } : {}),
      })
    : undefined;
  const concurrency =
    deps.metrics && router
      ? concurrencySampler({ load: dataPlaneLoad, services: refs, recorder: deps.metrics, clock, intervalMs: settings.concurrencySampleMs, logger })
      : undefined;
  const registryHostOf = (host: string): string => (deps.registry?.isBuiltIn(host) ? deps.registry.address : host);
  const imageWatcher = new ImageWatcher({ deps: deps.lifecycle, images, pollMs: settings.imagePollMs ?? DEFAULT_IMAGE_POLL_MS, registryHostOf, logger });
  const token = registryNotifyToken(deps.dataDir, deps.random);
  const route = registryNotificationsRoute(token, (p) => imageWatcher.onPush(p.registryHost, p.repository, p.tag, p.digest), logger);
  // stop() undoes what start() did, nothing more: a start that failed earlier must not tear down
  // containers, firewall or HAProxy it never took over.
  let started = false;
  return {
    driver,
    instances: driver instanceof LocalRuntimeDriver ? localInstanceDirectory(driver) : swarmInstanceDirectory(driver),
    images,
    builder,
    imageWatcher,
    codeWatcher,
    router,
    routes: [route, webhook, ...(edges ? [edges.route] : [])],
    notifyToken: token,
    instanceRoleOf: (instanceId) => (driver instanceof LocalRuntimeDriver ? driver.instanceRoleOf(instanceId) : undefined),
    async start() {
      started = true;
      if (router) {
        const log = requestLog ? await requestLog.start() : undefined;
        if (log) router.setLogTarget(`127.0.0.1:${log.port}`);
        await router.start();
      }
      // Builds run on this host in either case, behind the data directory's firewall.
      if (swarmApi) {
        await refuseUnfitSwarm(swarmApi, layout.prefix, deps.registry, logger);
        await ensureFirewall(layout);
      }
      await driver.start();
      autoscaler?.start();
      usage?.start();
      concurrency?.start();
      imageWatcher.start();
      codeWatcher.start();
    },
    async stop() {
      if (!started) return;
      await imageWatcher.stop();
      await codeWatcher.stop();
      await autoscaler?.stop();
      await usage?.stop();
      await concurrency?.stop();
      await driver.stop();
      if (swarmApi) await removeFirewall(layout);
      // Before the router: its last read of HAProxy's counters records the final second.
      await requestLog?.stop();
      await router?.stop();
    },
  };
}

/**
 * The Swarm driver on the manager's Engine API: it owns what it makes there by this data
 * directory's runtime prefix, and nodes pull each image by digest from the registry it names
 * (the built-in one at the address it listens on).
 */
function swarmDriver(deps: LocalRuntimeDeps, api: EngineApi, layout: HostLayout, config: RegistryConfig, router: TrafficRouter | undefined): SwarmRuntimeDriver {
  const builtIn = deps.registry && builtInBaseImages(deps.registry, deps.accountId, deps.clock);
  return new SwarmRuntimeDriver({
    api,
    owner: layout.prefix,
    pullOf: (image) => Promise.resolve().then(() => nodePullOf(image, { builtIn, config })),
    clock: deps.clock,
    random: deps.random,
    logs: deps.logs,
    serviceEvent: (service, message) => deps.events.eventsLine(service, message),
    logger: deps.logger,
    router,
    startupBudgetMs: deps.settings.startupBudgetMs,
    stopGraceMs: deps.settings.stopGraceMs,
  });
}

/**
 * What `openrunner up` checks before it trusts a swarm (src/runtime/swarm/preflight.ts): a
 * blocking problem refuses the start with its fix; a warning goes to the log. Run once the
 * registry listens, since nodes must be able to pull from the address it got.
 */
async function refuseUnfitSwarm(api: EngineApi, owner: string, registry: RunningRegistry | undefined, logger: LocalRuntimeDeps["logger"]): Promise<void> {
  const { facts, problems } = await checkSwarm(api, { owner, ...(registry ? { registry: { address: registry.address, tls: false } } : {}), logger });
  logger(`swarm: ${describeSwarm(facts)}`, { dockerHost: api.endpoint, apiVersion: api.version });
  for (const p of problems) if (p.severity === "warning") logger("swarm preflight: warning", { message: p.message, fix: p.fix });
  const blocking = problems.filter((p) => p.severity === "blocking");
  if (blocking.length > 0) throw new AppRunnerError("RuntimeUnavailable", `The swarm at ${api.endpoint} cannot run services:\n${formatSwarmProblems(blocking)}`);
}
