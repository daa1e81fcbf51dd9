/*
 * The composition root: the one place that builds OpenRunner and wires its parts together.
 * Read it first. startOpenRunner builds, in order: the store (one data directory, locked),
 * the control-plane modules (logs, metrics, events, audit, STS), the runtime (the local one:
 * image store, HAProxy data plane, builder, runc driver, autoscaler, samplers, automatic
 * deployment), the engine, and the HTTP endpoint (every AWS API, module routes, the console).
 * Everything else in src/ is a constructor this file calls; nothing below builds parts of its own.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { systemClock, type Clock } from "./util/clock.js";
import { stderrLogger } from "./util/stderr-logger.js";
import { lockDataDir } from "./util/data-dir-lock.js";
import { ensureDataDir, makeDataDirPrivate } from "./util/private-files.js";
import { cryptoRandom, type Random } from "./util/random.js";
import { ensureRootAccessKey, storeCredentialLookup, writeAwsFiles, type AccessKey } from "./store/root-credentials.js";
import { Store } from "./store/store.js";
import { LocalImageStore } from "./images/image-store.js";
import { loadRegistryConfig } from "./images/registry-config.js";
import { createAwsJsonHandler } from "./protocol/http/aws-json-handler.js";
import { applyServerLimits, DEFAULT_SERVER_LIMITS, type ServerLimits } from "./protocol/http/server-limits.js";
import type { ApiCallListener, AwsJsonApi } from "./protocol/service-registry.js";
import { accountSettings } from "./domain/account.js";
import type { ApiDeps, WorkNotifier } from "./domain/api-context.js";
import { ensureDefaultAutoScalingConfiguration } from "./domain/auto-scaling.js";
import { DEFAULT_QUOTAS, type ControlPlaneConfig, type Quotas } from "./domain/config.js";
import type { LifecycleDeps } from "./domain/service-lifecycle.js";
import { admitThroughModules, createModules, fanOutApiCalls, stopModules, type ControlPlaneModule, type HttpRoute, type ModuleFactory } from "./modules.js";
import { createAuditModule } from "./telemetry/audit/module.js";
import { createEventsModule } from "./telemetry/events/module.js";
import { DISCARD_LOGS, type LogSink } from "./telemetry/log-sink.js";
import { createLogsModule, isLogsModule } from "./telemetry/logs/module.js";
import { concurrencySampler } from "./telemetry/metrics/concurrency-sampler.js";
import { createMetricsModule, isMetricsModule } from "./telemetry/metrics/module.js";
import type { MetricsRecorder, ServiceUsageRecorder } from "./telemetry/metrics/recorder.js";
import { ServiceEventRecorder } from "./telemetry/service-events.js";
import { RequestLogReceiver } from "./router/request-log.js";
import { HaproxyRouter } from "./router/router.js";
import { Autoscaler } from "./autoscaler/autoscaler.js";
import { ImageWatcher } from "./sources/image-watcher.js";
import { REGISTRY_NOTIFICATIONS_PATH, registryNotificationsRoute, registryNotifyToken } from "./sources/registry-notifications.js";
import { CodeWatcher } from "./sources/git/code-watcher.js";
import { sourceAuth } from "./sources/git/connection-token.js";
import { GitSources } from "./sources/git/repository.js";
import { gitWebhookRoute, gitWebhookSecret } from "./sources/git/webhook.js";
import { registriesFromConfig } from "./builder/dockerfile/dockerfile-build.js";
import { RuntimeCatalog } from "./builder/runtimes/catalog.js";
import { SourceBuilder } from "./builder/source-builder.js";
import type { RuntimeDriver } from "./runtime/driver.js";
import { LocalRuntimeDriver } from "./runtime/local/driver.js";
import { dataPlaneRouter } from "./runtime/local/data-plane.js";
import { serviceRefs } from "./runtime/local/service-refs.js";
import { hostLayout, serviceUrlTemplate, type LocalRuntimeSettings } from "./runtime/local/setup.js";
import { UsageSampler } from "./runtime/local/usage-sampler.js";
import { UnavailableRuntimeDriver } from "./runtime/unavailable-driver.js";
import { Engine } from "./engine/engine.js";
import { HostArtifactResolver } from "./engine/artifact/host-resolver.js";
import type { ArtifactResolver } from "./engine/artifact/types.js";
import { UnavailableArtifactResolver } from "./engine/artifact/unavailable.js";
import { appRunnerApi } from "./api/apprunner-api.js";
import { openRunnerApi, secretBox } from "./api/openrunner/complete-handshake.js";
import { createStsModule } from "./sts/route.js";
import { consoleRoute } from "./console/route.js";
import { builtInBaseImages, createRegistry, type RunningRegistry } from "./registry/built-in-registry.js";
import type { RepositoryDirectory } from "./registry/types.js";
import { createEcrModule } from "./ecr/module.js";
import { RepositoryStore } from "./ecr/repository-store.js";
import { buildRepositories } from "./ecr/build-repositories.js";

export interface OpenRunnerOptions {
  dataDir: string;
  host?: string;
  port?: number;
  region?: string;
  baseDomain?: string;
  quotas?: Partial<Quotas>;
  driver?: RuntimeDriver;
  /** Where deployments get their images, with `driver`; the local runtime brings its own. */
  artifacts?: ArtifactResolver;
  /**
   * Run services as runc containers on this machine (root, runc, iproute2, nftables, umoci,
   * busybox-static). Without it (and without `driver`) deployments fail with "No runtime".
   */
  localRuntime?: LocalRuntimeSettings;
  clock?: Clock;
  random?: Random;
  engineStepDelayMs?: number;
  extraApis?: AwsJsonApi<ApiDeps>[];
  /** The control-plane modules to run; DEFAULT_MODULES unless a test wants fewer. */
  modules?: readonly ModuleFactory[];
  onApiCall?: ApiCallListener;
  /** Connections and timeouts of the API endpoint; DEFAULT_SERVER_LIMITS for what is not given. */
  serverLimits?: Partial<ServerLimits>;
  logger?: (message: string, fields?: Record<string, unknown>) => void;
  /** The built-in registry's front door port on 127.0.0.1 (absent or 0: none), and the ECR side's repositories (absent: no push or pull). */
  registry?: { port: number; repositories?: RepositoryDirectory };
}

export interface RunningOpenRunner {
  endpoint: string;
  port: number;
  dataDir: string;
  config: ControlPlaneConfig;
  rootKey: AccessKey;
  files: { credentials: string; config: string };
  store: Store;
  engine: Engine;
  driver: RuntimeDriver;
  /** The HAProxy data plane (with the local runtime and router settings). */
  router?: HaproxyRouter;
  /** Automatic deployment of image services (with the local runtime). */
  imageWatcher?: ImageWatcher;
  /** Automatic deployment of source-code services (with the local runtime). */
  codeWatcher?: CodeWatcher;
  /** Bearer token a registry sends to REGISTRY_NOTIFICATIONS_PATH (with the local runtime). */
  registryNotifyToken?: string;
  /** The built-in registry (with `registry` in the options); its repositories are the ECR API's. */
  registry?: RunningRegistry;
  close(): Promise<void>;
}

/** Starts the all-in-one control plane: store, engine and the AWS-compatible API. */
export async function startOpenRunner(opts: OpenRunnerOptions): Promise<RunningOpenRunner> {
  const dataDir = resolve(opts.dataDir);
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? cryptoRandom;
  const logger = opts.logger ?? stderrLogger;
  const region = opts.region ?? "us-east-1";
  const baseDomain = opts.baseDomain ?? "openrunner.localhost";
  // Before anything in the directory is touched: a second server on it is refused, not let loose on the first one's instances.
  ensureDataDir(dataDir);
  const lock = await lockDataDir(dataDir);
  let store: Store;
  try {
    makeDataDirPrivate(dataDir);
    store = Store.open(join(dataDir, "openrunner.db"));
  } catch (err) {
    await lock.release();
    throw err;
  }
  // Modules open their own databases: a start that fails half way closes those too.
  let modules: ControlPlaneModule[] = [];
  let local: LocalRuntime | undefined;
  let registry: RunningRegistry | undefined;
  try {
    const { accountId } = accountSettings(store, random, region, baseDomain);
    const config: ControlPlaneConfig = { region, accountId, baseDomain, quotas: { ...DEFAULT_QUOTAS, ...opts.quotas } };
    ensureDefaultAutoScalingConfiguration({ store, clock, config });
    const rootKey = ensureRootAccessKey(store, accountId, clock, random);
    const credentials = storeCredentialLookup(store);
    const r = opts.registry;
    registry = r?.port ? await createRegistry({ dataDir, port: r.port, accountId, region, clock, random, logger, repositories: r.repositories ?? new RepositoryStore(store, region) }) : undefined;
    modules = createModules(
      {
        store,
        dataDir,
        config,
        clock,
        random,
        credentials,
        logger,
        admitApiCall: (call) => admitApiCall(call),
        recordApiCall: (call) => onApiCall(call),
      },
      // The ECR API serves the built-in registry's repositories: there is none without it.
      [...(opts.modules ?? DEFAULT_MODULES), ...(registry ? [createEcrModule(registry)] : [])],
    );
    const admitApiCall = admitThroughModules(modules);
    const onApiCall = fanOutApiCalls([opts.onApiCall, ...modules.map((m) => m.onApiCall)], logger);
    // Without a logs module, service event lines have nowhere to go and are dropped.
    const logSink = modules.find(isLogsModule)?.logSink ?? DISCARD_LOGS;
    const events = new ServiceEventRecorder(store, config, clock, random, logSink);
    const engineRef: WorkNotifier = { notify: () => engine.notify(), firstPhaseOf: (type) => engine.firstPhaseOf(type) };
    const runtime = opts.driver
      ? undefined
      : opts.localRuntime
        ? await createLocalRuntime({
            dataDir,
            store,
            clock,
            random,
            logger,
            logs: logSink,
            events,
            metrics: modules.find(isMetricsModule)?.metricsRecorder,
            region,
            baseDomain,
            settings: opts.localRuntime,
            registry,
            accountId,
            lifecycle: { store, clock, random, config, engine: engineRef },
          })
        : undefined;
    local = runtime;
    const driver = opts.driver ?? runtime?.driver ?? new UnavailableRuntimeDriver();
    const keeper = registry && runtime ? buildRepositories({ registry, images: runtime.images, store, config, clock }) : undefined;
    const artifacts =
      opts.artifacts ?? (runtime ? new HostArtifactResolver({ images: runtime.images, builder: runtime.builder, keeper }) : new UnavailableArtifactResolver());
    const engine = new Engine({ store, driver, artifacts, clock, random, config, events, logger }, { stepDelayMs: opts.engineStepDelayMs });
    const handle = createAwsJsonHandler({
      deps: { store, clock, random, config, engine },
      apis: [appRunnerApi, openRunnerApi(secretBox(dataDir)), ...modules.flatMap((m) => m.apis ?? []), ...(opts.extraApis ?? [])],
      credentials,
      admit: admitApiCall,
      onCall: onApiCall,
      logger,
    });
    const routes = [
      ...modules.flatMap((m) => m.routes ?? []),
      ...(runtime?.routes ?? []),
      consoleRoute({ region, baseDomain, serviceUrlTemplate: serviceUrlTemplate(opts.localRuntime) }),
    ];
    const server: Server = createServer((req, res) => {
      const route = routes.find((r) => r.matches(req));
      (route ? route.handle(req, res) : handle(req, res)).catch((err: unknown) => {
        logger("request handler failed", { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    applyServerLimits(server, { ...DEFAULT_SERVER_LIMITS, ...opts.serverLimits });
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(opts.port ?? 8600, opts.host ?? "127.0.0.1", () => ok());
    });
    const port = (server.address() as AddressInfo).port;
    const endpoint = `http://${opts.host ?? "127.0.0.1"}:${port}`;
    const files = writeAwsFiles(dataDir, rootKey, region, endpoint);
    await registry?.start(runtime ? { url: `${endpoint}${REGISTRY_NOTIFICATIONS_PATH}`, token: runtime.notifyToken } : undefined);
    for (const m of modules) m.start?.();
    await runtime?.start();
    engine.start();
    return {
      endpoint,
      port,
      dataDir,
      config,
      rootKey,
      files,
      store,
      engine,
      driver,
      imageWatcher: runtime?.imageWatcher,
      codeWatcher: runtime?.codeWatcher,
      router: runtime?.router,
      registryNotifyToken: runtime?.notifyToken,
      registry,
      async close() {
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        await engine.stop();
        // Instances go before the log store closes: their last lines are shipped on the way out.
        await runtime?.stop();
        await registry?.stop();
        await stopModules(modules, logger);
        store.close();
        await lock.release();
      },
    };
  } catch (err) {
    await local?.stop().catch((e: unknown) => logger("stopping the runtime after a failed start failed", { error: String(e) }));
    await registry?.stop().catch((e: unknown) => logger("stopping the registry after a failed start failed", { error: String(e) }));
    await stopModules(modules, logger);
    store.close();
    await lock.release();
    throw err;
  }
}

/** Logs, metrics, EventBridge and CloudTrail, in the order their dependencies need. */
export const DEFAULT_MODULES: readonly ModuleFactory[] = [createLogsModule, createMetricsModule, createEventsModule, createAuditModule, createStsModule];

interface LocalRuntime {
  driver: LocalRuntimeDriver;
  images: LocalImageStore;
  /** Builds source-code services into images in `images`, for the engine's artifact phase. */
  builder: SourceBuilder;
  imageWatcher: ImageWatcher;
  codeWatcher: CodeWatcher;
  router: HaproxyRouter | undefined;
  routes: HttpRoute[];
  notifyToken: string;
  /** Data plane, instances, autoscaler, samplers and automatic deployment, in dependency order. */
  start(): Promise<void>;
  /** Everything start() started, in reverse; nothing is left on the machine afterwards. */
  stop(): Promise<void>;
}

interface LocalRuntimeDeps {
  dataDir: string;
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
}

const DEFAULT_IMAGE_POLL_MS = 60_000;
const DEFAULT_CODE_POLL_MS = 60_000;

/**
 * The local runtime for one data directory: the image store, the HAProxy data plane, the
 * source builder, the runc driver, the autoscaler and samplers, and automatic deployment.
 */
async function createLocalRuntime(deps: LocalRuntimeDeps): Promise<LocalRuntime> {
  const { settings, logger, clock } = deps;
  const registryConfig = await loadRegistryConfig(deps.dataDir);
  const images = new LocalImageStore({ dir: join(deps.dataDir, "images"), config: { ...registryConfig, builtIn: deps.registry }, logger });
  const refs = serviceRefs(deps.store, clock);
  const router = dataPlaneRouter({ ...deps, logger });
  const requestLog =
    deps.metrics && router
      ? new RequestLogReceiver({ recorder: deps.metrics, services: refs, clock, logger, counters: () => router.counters() })
      : undefined;
  const layout = hostLayout(deps.store, deps.dataDir, deps.random, settings);
  const git = new GitSources({ dir: join(deps.dataDir, "sources"), logger });
  const builder = new SourceBuilder({
    git,
    runtimes: new RuntimeCatalog({ dir: settings.runtimesDir ?? join(deps.dataDir, "runtimes"), logger }),
    images,
    dataDir: deps.dataDir,
    auth: (spec) => sourceAuth(deps.store, deps.dataDir, spec.source),
    logger,
    layout,
    registries: registriesFromConfig(registryConfig, deps.registry && builtInBaseImages(deps.registry, deps.accountId, clock)),
  });
  const codeWatcher = new CodeWatcher({
    deps: deps.lifecycle,
    resolve: (url, branch, auth, signal) => git.resolve(url, branch, auth, signal),
    dataDir: deps.dataDir,
    pollMs: settings.codePollMs ?? DEFAULT_CODE_POLL_MS,
    logger,
  });
  const webhook = gitWebhookRoute({ secret: gitWebhookSecret(deps.dataDir), onPush: (p) => codeWatcher.onPush(p), logger });
  const driver = new LocalRuntimeDriver({
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
    superviseMs: settings.superviseMs,
    router,
    persistedRoutes: router ? () => router.routes() : undefined,
    serviceExists: (serviceId) => refs(serviceId) !== undefined,
    pendingImages: () => deps.store.operations.listOpen().flatMap((op) => (op.state.artifact ? [op.state.artifact.digest, op.state.artifact.manifestDigest] : [])),
  });
  const autoscaler = router
    ? new Autoscaler({
        clock,
        intervalMs: settings.autoscaleIntervalMs,
        windows: settings.autoscaleWindows,
        load: () => router.load(),
        services: () => driver.scalingView(),
        scale: (serviceId, desired, reason) => driver.scale(serviceId, desired, reason),
        logger,
      })
    : undefined;
  const usage = deps.metrics
    ? new UsageSampler({ instances: () => driver.sampledInstances(), services: refs, recorder: deps.metrics, clock, intervalMs: settings.usageSampleMs, logger })
    : undefined;
  const concurrency =
    deps.metrics && router
      ? concurrencySampler({ load: () => router.load(), services: refs, recorder: deps.metrics, clock, intervalMs: settings.concurrencySampleMs, logger })
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
    images,
    builder,
    imageWatcher,
    codeWatcher,
    router,
    routes: [route, webhook],
    notifyToken: token,
    async start() {
      started = true;
      if (router) {
        const log = requestLog ? await requestLog.start() : undefined;
        if (log) router.setLogTarget(`127.0.0.1:${log.port}`);
        await router.start();
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
      // Before the router: its last read of HAProxy's counters records the final second.
      await requestLog?.stop();
      await router?.stop();
    },
  };
}
