import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { appRunnerApi } from "./api/apprunner-api.js";
import { createAwsJsonHandler } from "./protocol/http/aws-json-handler.js";
import { applyServerLimits, DEFAULT_SERVER_LIMITS, type ServerLimits } from "./protocol/http/server-limits.js";
import { openRunnerApi, secretBox } from "./api/openrunner/complete-handshake.js";
import { consoleRoute } from "./console/route.js";
import type { ApiCallGate, ApiCallListener, AwsJsonApi } from "./protocol/service-registry.js";
import { ensureDefaultAutoScalingConfiguration } from "./domain/auto-scaling.js";
import { DEFAULT_QUOTAS, type ControlPlaneConfig, type Quotas } from "./domain/config.js";
import { Engine } from "./engine/engine.js";
import { HostArtifactResolver } from "./engine/artifact/host-resolver.js";
import type { ArtifactResolver } from "./engine/artifact/types.js";
import { UnavailableArtifactResolver } from "./engine/artifact/unavailable.js";
import { AppRunnerError } from "./errors/app-runner-error.js";
import { ensureRootAccessKey, storeCredentialLookup, writeAwsFiles, type AccessKey } from "./store/root-credentials.js";
import type { RuntimeDriver } from "./runtime/driver.js";
import { UnavailableRuntimeDriver } from "./runtime/unavailable-driver.js";
import { createLocalRuntime, type LocalRuntime } from "./runtime/local/create.js";
import type { LocalRuntimeSettings } from "./runtime/local/setup.js";
import type { ImageWatcher } from "./sources/image-watcher.js";
import type { CodeWatcher } from "./sources/git/code-watcher.js";
import type { HaproxyRouter } from "./router/router.js";
import type { ControlPlaneModule, ModuleDeps, ModuleFactory } from "./modules.js";
import { Store } from "./store/store.js";
import { createAuditModule } from "./telemetry/audit/module.js";
import { createStsModule } from "./sts/route.js";
import { createEventsModule } from "./telemetry/events/module.js";
import { createLogsModule } from "./telemetry/logs/module.js";
import { createMetricsModule } from "./telemetry/metrics/module.js";
import { DISCARD_LOGS } from "./telemetry/log-sink.js";
import { ServiceEventRecorder } from "./telemetry/service-events.js";
import { systemClock, type Clock } from "./util/clock.js";
import { lockDataDir } from "./util/data-dir-lock.js";
import { ensureDataDir, makeDataDirPrivate } from "./util/private-files.js";
import { cryptoRandom, type Random } from "./util/random.js";

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
  extraApis?: AwsJsonApi[];
  /** The control-plane modules to run; DEFAULT_MODULES unless a test wants fewer. */
  modules?: readonly ModuleFactory[];
  onApiCall?: ApiCallListener;
  /** Connections and timeouts of the API endpoint; DEFAULT_SERVER_LIMITS for what is not given. */
  serverLimits?: Partial<ServerLimits>;
  logger?: (message: string, fields?: Record<string, unknown>) => void;
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
  close(): Promise<void>;
}

const defaultLogger = (message: string, fields?: Record<string, unknown>): void => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`);
};

/** Facts fixed on first start: a data directory made for one region stays in that region. */
function accountSettings(store: Store, random: Random, region: string, baseDomain: string): { accountId: string } {
  const accountId = store.meta.getOrInit("account_id", () => {
    const digits = Array.from(random.bytes(12), (b) => String(b % 10)).join("");
    return digits.startsWith("0") ? `1${digits.slice(1)}` : digits;
  });
  const storedRegion = store.meta.getOrInit("region", () => region);
  if (storedRegion !== region) {
    throw new AppRunnerError(
      "InvalidRequest",
      `This data directory belongs to region ${storedRegion}; start with --region ${storedRegion} or use another --data-dir.`,
    );
  }
  store.meta.getOrInit("base_domain", () => baseDomain);
  return { accountId };
}

/** Starts the all-in-one control plane: store, engine and the AWS-compatible API. */
export async function startOpenRunner(opts: OpenRunnerOptions): Promise<RunningOpenRunner> {
  const dataDir = resolve(opts.dataDir);
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? cryptoRandom;
  const logger = opts.logger ?? defaultLogger;
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
  try {
    const { accountId } = accountSettings(store, random, region, baseDomain);
    const config: ControlPlaneConfig = { region, accountId, baseDomain, quotas: { ...DEFAULT_QUOTAS, ...opts.quotas } };
    ensureDefaultAutoScalingConfiguration({ store, clock, config });
    const rootKey = ensureRootAccessKey(store, accountId, clock, random);
    const credentials = storeCredentialLookup(store);
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
      opts.modules ?? DEFAULT_MODULES,
    );
    const gates = modules.map((m) => m.admitApiCall).filter((g) => g !== undefined);
    // A gate that throws refuses the call: its error is the caller's answer.
    const admitApiCall: ApiCallGate = (call) => {
      for (const gate of gates) gate(call);
    };
    const listeners = [opts.onApiCall, ...modules.map((m) => m.onApiCall)].filter((l) => l !== undefined);
    const onApiCall: ApiCallListener = (call) => {
      for (const listener of listeners) {
        try {
          listener(call);
        } catch (err) {
          logger("an API call listener failed", { operation: call.operation, error: err instanceof Error ? err.message : String(err) });
        }
      }
    };
    // Without a logs module, service event lines have nowhere to go and are dropped.
    const logSink = modules.find((m) => m.logSink)?.logSink ?? DISCARD_LOGS;
    const events = new ServiceEventRecorder(store, config, clock, random, logSink);
    const engineRef: { notify(): void } = { notify: () => engine.notify() };
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
            metrics: modules.find((m) => m.metricsRecorder)?.metricsRecorder,
            region,
            baseDomain,
            settings: opts.localRuntime,
            apiDeps: { store, clock, random, config, engine: engineRef },
          })
        : undefined;
    local = runtime;
    const driver = opts.driver ?? runtime?.driver ?? new UnavailableRuntimeDriver();
    const artifacts =
      opts.artifacts ?? (runtime ? new HostArtifactResolver({ images: runtime.images, builder: runtime.builder }) : new UnavailableArtifactResolver());
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
      async close() {
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        await engine.stop();
        // Instances go before the log store closes: their last lines are shipped on the way out.
        await runtime?.stop();
        await stopModules(modules, logger);
        store.close();
        await lock.release();
      },
    };
  } catch (err) {
    await local?.stop().catch((e: unknown) => logger("stopping the runtime after a failed start failed", { error: String(e) }));
    await stopModules(modules, logger);
    store.close();
    await lock.release();
    throw err;
  }
}

/** How the console links a service's default domain: through the data plane's ports. */
function serviceUrlTemplate(settings: LocalRuntimeSettings | undefined): string | undefined {
  const r = settings?.router;
  if (!r) return undefined;
  return r.httpsPort > 0 ? `https://{host}:${r.httpsPort}` : `http://{host}:${r.httpPort}`;
}

/** Logs, metrics, EventBridge and CloudTrail, in the order their dependencies need. */
export const DEFAULT_MODULES: readonly ModuleFactory[] = [createLogsModule, createMetricsModule, createEventsModule, createAuditModule, createStsModule];

function createModules(deps: ModuleDeps, factories: readonly ModuleFactory[]): ControlPlaneModule[] {
  return factories.map((make) => make(deps));
}

async function stopModules(modules: readonly ControlPlaneModule[], logger: ModuleDeps["logger"]): Promise<void> {
  for (const m of [...modules].reverse()) {
    try {
      await m.stop?.();
    } catch (err) {
      logger("a module failed to stop", { module: m.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
