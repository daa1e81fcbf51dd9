/*
 * The local runtime's composition, beside the composition root (server.ts): for one data
 * directory, the image store, the HAProxy data plane, the source builder, the runc driver,
 * the autoscaler and samplers, and automatic deployment, wired together.
 */
import { join } from "node:path";
import { type Clock } from "./util/clock.js";
import { type Random } from "./util/random.js";
import { Store } from "./store/store.js";
import { LocalImageStore } from "./images/image-store.js";
import { loadRegistryConfig } from "./images/registry-config.js";
import type { InstanceDirectory } from "./domain/instances.js";
import type { LifecycleDeps } from "./domain/service-lifecycle.js";
import { type HttpRoute } from "./modules.js";
import { type LogSink } from "./telemetry/log-sink.js";
import { concurrencySampler } from "./telemetry/metrics/concurrency-sampler.js";
import type { MetricsRecorder, ServiceUsageRecorder } from "./telemetry/metrics/recorder.js";
import { ServiceEventRecorder } from "./telemetry/service-events.js";
import { RequestLogReceiver } from "./router/request-log.js";
import { HaproxyRouter } from "./router/router.js";
import { Autoscaler } from "./autoscaler/autoscaler.js";
import { ImageWatcher } from "./sources/image-watcher.js";
import { registryNotificationsRoute, registryNotifyToken } from "./sources/registry-notifications.js";
import { CodeWatcher } from "./sources/git/code-watcher.js";
import { sourceAuth } from "./sources/git/connection-token.js";
import { GitSources } from "./sources/git/repository.js";
import { gitWebhookRoute, gitWebhookSecret } from "./sources/git/webhook.js";
import { registriesFromConfig } from "./builder/dockerfile/registries.js";
import { RuntimeCatalog } from "./builder/runtimes/catalog.js";
import { SourceBuilder } from "./builder/source-builder.js";
import { localInstanceDirectory } from "./runtime/instance-directory.js";
import { LocalRuntimeDriver } from "./runtime/local/driver.js";
import { dataPlaneRouter } from "./runtime/local/data-plane.js";
import { serviceRefs } from "./runtime/local/service-refs.js";
import { hostLayout, type LocalRuntimeSettings } from "./runtime/local/setup.js";
import { UsageSampler } from "./runtime/local/usage-sampler.js";
import { builtInBaseImages, type RunningRegistry } from "./registry/built-in-registry.js";


export interface LocalRuntime {
  driver: LocalRuntimeDriver;
  /** The driver's instances for ListServiceInstances, each on this machine. */
  instances: InstanceDirectory;
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

export interface LocalRuntimeDeps {
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
export async function createLocalRuntime(deps: LocalRuntimeDeps): Promise<LocalRuntime> {
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
    instances: localInstanceDirectory(driver),
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
