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
import { createAuthorizer } from "./iam/authorizer.js";
import { masterKeyFileOf, SecretBox } from "./iam/secret-box.js";
import { createKeyService } from "./keys/create-key-service.js";
import { createKmsModule } from "./kms/module.js";
import type { IdentityPolicySource } from "./iam/identity-policies.js";
import { storeIdentityPolicies } from "./store/iam/identity-policies.js";
import { storeRoleDirectory } from "./store/iam/role-directory.js";
import type { RoleDirectory } from "./iam/roles.js";
import type { RoleSessions } from "./iam/sessions.js";
import { createRoleSessions } from "./iam/role-sessions.js";
import { InstanceCredentials, instanceCredentialsRoute, instanceRoleEnvironment } from "./iam/instance-credentials.js";
import { checkAccessRole } from "./iam/access-role.js";
import { builtInPullAccess } from "./engine/artifact/access-role.js";
import { gatewayServiceTo } from "./executor/firewall.js";
import { readOrCreateSecretFile } from "./util/secret-file.js";
import { createAwsJsonHandler } from "./protocol/http/aws-json-handler.js";
import { applyServerLimits, DEFAULT_SERVER_LIMITS, type ServerLimits } from "./protocol/http/server-limits.js";
import type { ApiCallListener, AwsJsonApi } from "./protocol/service-registry.js";
import { accountSettings } from "./domain/account.js";
import type { ApiDeps, WorkNotifier } from "./domain/api-context.js";
import type { InstanceDirectory } from "./domain/instances.js";
import { ensureDefaultAutoScalingConfiguration } from "./domain/auto-scaling.js";
import { DEFAULT_QUOTAS, type ControlPlaneConfig, type Quotas } from "./domain/config.js";
import { admitThroughModules, createModules, fanOutApiCalls, stopModules, type ControlPlaneModule, type ModuleFactory } from "./modules.js";
import { createAuditModule } from "./telemetry/audit/module.js";
import { createEventsModule } from "./telemetry/events/module.js";
import { DISCARD_LOGS } from "./telemetry/log-sink.js";
import { createLogsModule, isLogsModule } from "./telemetry/logs/module.js";
import { createMetricsModule, isMetricsModule } from "./telemetry/metrics/module.js";
import { ServiceEventRecorder } from "./telemetry/service-events.js";
import { HaproxyRouter } from "./router/router.js";
import { ImageWatcher } from "./sources/image-watcher.js";
import { REGISTRY_NOTIFICATIONS_PATH } from "./sources/registry-notifications.js";
import { CodeWatcher } from "./sources/git/code-watcher.js";
import type { RuntimeDriver } from "./runtime/driver.js";
import { serviceUrlTemplate, type LocalRuntimeSettings } from "./runtime/local/setup.js";
import { UnavailableRuntimeDriver } from "./runtime/unavailable-driver.js";
import { Engine } from "./engine/engine.js";
import { HostArtifactResolver } from "./engine/artifact/host-resolver.js";
import type { ArtifactResolver } from "./engine/artifact/types.js";
import { UnavailableArtifactResolver } from "./engine/artifact/unavailable.js";
import { appRunnerApi } from "./api/apprunner-api.js";
import { openRunnerApi } from "./api/openrunner/complete-handshake.js";
import { createStsModule } from "./sts/module.js";
import { createIamModule } from "./iam-api/module.js";
import { registryScopeAuthorizer } from "./ecr/registry-scopes.js";
import { consoleRoute } from "./console/route.js";
import { createRegistry, type RunningRegistry } from "./registry/built-in-registry.js";
import type { RepositoryDirectory } from "./registry/types.js";
import { createEcrModule } from "./ecr/module.js";
import { createSsmModule } from "./ssm/module.js";
import type { KeyService } from "./keys/key-service.js";
import { RepositoryStore } from "./ecr/repository-store.js";
import { buildRepositories } from "./ecr/build-repositories.js";
import { createLocalRuntime, type LocalRuntime } from "./local-runtime.js";
import { createSecretsManagerModule } from "./secrets-manager/module.js";
import { serviceKeyring } from "./keys/service-keyring.js";
import type { ParameterValueReader, SecretValueReader } from "./domain/runtime-secrets.js";
import { createRuntimeSecretResolver } from "./engine/secrets/resolver.js";
import type { SecretsManagerModule } from "./secrets-manager/module.js";
import type { SsmModule } from "./ssm/module.js";
import type { CustomDomainController } from "./custom-domains/controller.js";
import type { CustomDomainParts } from "./custom-domains/context.js";
import { createCustomDomains, customDomainConfig, type CustomDomains } from "./custom-domains/wiring.js";
import type { CustomDomainSettings } from "./custom-domains/types.js";

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
  /** What ListServiceInstances shows of `driver`'s instances (runtime/instance-directory.ts); the local runtime brings its own. */
  instances?: InstanceDirectory;
  /**
   * Run services as runc containers on this machine (root, runc, iproute2, nftables, umoci,
   * busybox-static). Without it (and without `driver`) deployments fail with "No runtime".
   */
  localRuntime?: LocalRuntimeSettings;
  clock?: Clock;
  random?: Random;
  engineStepDelayMs?: number;
  extraApis?: AwsJsonApi<ApiDeps>[];
  /**
   * Which identity-based policies apply to each non-root caller (users, role sessions). Absent:
   * the IAM store's (users', groups' and roles' inline and attached policies).
   */
  identityPolicies?: IdentityPolicySource;
  /**
   * The master key every secret of the store and every KMS key is sealed under. Absent:
   * `<dataDir>/secret.key`, made (0600) on first use. Given: the file must exist (start is
   * refused otherwise), so it can live outside the data directory and its backups.
   */
  masterKeyFile?: string;
  /** The control-plane modules to run; DEFAULT_MODULES unless a test wants fewer. */
  modules?: readonly ModuleFactory[];
  onApiCall?: ApiCallListener;
  /** Connections and timeouts of the API endpoint; DEFAULT_SERVER_LIMITS for what is not given. */
  serverLimits?: Partial<ServerLimits>;
  logger?: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * The built-in registry's front door port (absent or 0: none) and address (127.0.0.1 unless a
   * swarm's nodes must reach it), and the ECR side's repositories (absent: no push or pull).
   */
  registry?: { port: number; host?: string; repositories?: RepositoryDirectory };
  /** The roles STS and App Runner's role sessions assume; absent: the IAM store's. */
  roles?: RoleDirectory;
  /**
   * App Runner's own role sessions (STS): an instance role's credentials for its instances, an
   * access role's for pulls from the built-in registry. Absent: STS's, over the IAM store's roles.
   */
  roleSessions?: RoleSessions;
  /** KMS's keys for the modules that encrypt with them (Secrets Manager, Parameter Store, services); absent: the data directory's own KMS. */
  keys?: KeyService;
  /**
   * Custom domains' certificates (ACME), challenge zone, record checks and timings (`openrunner up
   * --acme-*`, `--dns-resolver`, `--data-plane-address`). The controller always runs: without
   * `acme` associations wait, saying no certificate authority is configured.
   */
  customDomains?: CustomDomainSettings;
  /**
   * The custom-domain controller's parts, instead of the ones `customDomains` makes (tests);
   * each one given replaces its factory's.
   */
  customDomainParts?: CustomDomainParts;
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
  /** Moves custom domain associations on, renews their certificates, routes the active ones. */
  customDomains: CustomDomainController;
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
  const masterKeyFile = opts.masterKeyFile === undefined ? undefined : resolve(opts.masterKeyFile);
  // Refused before anything is made: a missing master key file is restored from its backup, never replaced.
  const masterKey = SecretBox.forFile(masterKeyFile ?? masterKeyFileOf(dataDir), { create: masterKeyFile === undefined });
  const lock = await lockDataDir(dataDir, masterKeyFile);
  let store: Store;
  try {
    makeDataDirPrivate(dataDir);
    store = Store.open(join(dataDir, "openrunner.db"), masterKey);
  } catch (err) {
    await lock.release();
    throw err;
  }
  // Modules open their own databases: a start that fails half way closes those too.
  let modules: ControlPlaneModule[] = [];
  let local: LocalRuntime | undefined;
  let registry: RunningRegistry | undefined;
  let domains: CustomDomains | undefined;
  try {
    const { accountId } = accountSettings(store, random, region, baseDomain);
    const config: ControlPlaneConfig = {
      region,
      accountId,
      baseDomain,
      quotas: { ...DEFAULT_QUOTAS, ...opts.quotas },
      ...customDomainConfig(opts.customDomains),
      ...(opts.localRuntime?.scaleToZeroMinIdleMs !== undefined ? { scaleToZeroMinIdleMs: opts.localRuntime.scaleToZeroMinIdleMs } : {}),
      ...(opts.localRuntime?.rolloutMinIntervalMs !== undefined ? { rolloutMinIntervalMs: opts.localRuntime.rolloutMinIntervalMs } : {}),
    };
    ensureDefaultAutoScalingConfiguration({ store, clock, config });
    const rootKey = ensureRootAccessKey(store, accountId, clock, random);
    const credentials = storeCredentialLookup(store);
    // Every call of every API is authorized here: root as the account, anyone else by the identity policies that apply to them.
    const authorizer = createAuthorizer({
      policies: opts.identityPolicies ?? storeIdentityPolicies(store.iam),
      resourceTags: (arn) => store.tags.record(arn),
      accountId,
      region,
    });
    const roles = opts.roles ?? storeRoleDirectory(store.iam);
    // KMS's keys, their material sealed under the master key: the KMS API's, and Secrets Manager's, Parameter Store's and services' encryption.
    const keys = opts.keys ?? createKeyService({ store, box: masterKey, authorizer, clock, random, accountId, region });
    // Services with an EncryptionConfiguration.KmsKey have their configuration sealed under it, from their first read on.
    store.useKeyring(serviceKeyring(keys));
    // App Runner's own role sessions: the access role for pulls, the instance role for the running code.
    const roleSessions = opts.roleSessions ?? createRoleSessions({ sessions: store.sessions, roles, clock, random, accountId });
    const r = opts.registry;
    registry = r?.port ? await createRegistry({ dataDir, port: r.port, ...(r.host ? { host: r.host } : {}), accountId, region, clock, random, logger, repositories: r.repositories ?? new RepositoryStore(store, region), authorizeScope: registryScopeAuthorizer({ credentials, authorizer, region, accountId, clock }) }) : undefined;
    modules = createModules(
      {
        store,
        dataDir,
        config,
        clock,
        random,
        credentials,
        authorizer,
        roles,
        keys,
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
    // Each instance's credentials token is an HMAC under this key: instances outlive a restart.
    const credentialsKey = readOrCreateSecretFile(join(dataDir, "instance-credentials.key"), () => random.bytes(32));
    const listening: { at?: { host: string; port: number } } = {};
    const engineRef: WorkNotifier = { notify: () => engine.notify(), firstPhaseOf: (type) => engine.firstPhaseOf(type) };
    const runtime = opts.driver
      ? undefined
      : opts.localRuntime
        ? await createLocalRuntime({
            dataDir,
            masterKey,
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
            instanceRoles: {
              gateway: () => (listening.at ? gatewayServiceTo(listening.at.host, listening.at.port) : undefined),
              env: (instanceId, gateway) => instanceRoleEnvironment({ key: credentialsKey, instanceId, gateway, region }),
            },
            // The store's key (secret.key): deployment records keep the instances' environment sealed.
            sealer: masterKey,
          })
        : undefined;
    local = runtime;
    const driver = opts.driver ?? runtime?.driver ?? new UnavailableRuntimeDriver();
    const keeper = registry && runtime ? buildRepositories({ registry, images: runtime.images, store, config, clock }) : undefined;
    // As on App Runner, a private image (ECR: the built-in registry) is pulled only with what the service's access role allows.
    const pullAccess = registry
      ? builtInPullAccess({
          isBuiltIn: (host) => registry?.isBuiltIn(host) ?? false,
          region,
          accountId,
          mayPull: (input) => checkAccessRole({ roleSessions, credentials, authorizer, clock }, input),
        })
      : undefined;
    const artifacts =
      opts.artifacts ??
      (runtime ? new HostArtifactResolver({ images: runtime.images, builder: runtime.builder, keeper, ...(pullAccess ? { pullAccess } : {}) }) : new UnavailableArtifactResolver());
    // Deployments read their secrets with the instance role through Secrets Manager's and Parameter Store's own readers.
    const secrets = createRuntimeSecretResolver({ roles, clock, accountId, ...secretReaders(modules) });
    const engine = new Engine({ store, driver, artifacts, clock, random, config, events, logger, keys, secrets }, { stepDelayMs: opts.engineStepDelayMs });
    const runtimeRouter = runtime?.router ? { dataPlane: runtime.router } : {};
    const domainsRuntime = createCustomDomains(opts.customDomains, opts.customDomainParts, { store, config, clock, random, events, logger, dataDir, ...runtimeRouter });
    domains = domainsRuntime;
    const customDomains = domainsRuntime.controller;
    const handle = createAwsJsonHandler({
      deps: { store, clock, random, config, engine, instances: opts.instances ?? runtime?.instances, keys, customDomains },
      apis: [appRunnerApi, openRunnerApi(() => masterKey), ...modules.flatMap((m) => m.apis ?? []), ...(opts.extraApis ?? [])],
      credentials,
      authorizer,
      admit: admitApiCall,
      onCall: onApiCall,
      logger,
    });
    const instanceCredentials = new InstanceCredentials({
      roleSessions,
      roleOf: (instanceId) => runtime?.instanceRoleOf(instanceId),
      key: credentialsKey,
      clock,
    });
    const routes = [
      ...modules.flatMap((m) => m.routes ?? []),
      ...(runtime?.routes ?? []),
      instanceCredentialsRoute(instanceCredentials, logger),
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
    listening.at = { host: opts.host ?? "127.0.0.1", port };
    const endpoint = `http://${opts.host ?? "127.0.0.1"}:${port}`;
    const files = writeAwsFiles(dataDir, rootKey, region, endpoint);
    await registry?.start(runtime ? { url: `${endpoint}${REGISTRY_NOTIFICATIONS_PATH}`, token: runtime.notifyToken } : undefined);
    for (const m of modules) m.start?.();
    await runtime?.start();
    engine.start();
    await domainsRuntime.start();
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
      customDomains,
      async close() {
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        await domainsRuntime.stop();
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
    await domains?.stop().catch((e: unknown) => logger("stopping custom domains after a failed start failed", { error: String(e) }));
    await local?.stop().catch((e: unknown) => logger("stopping the runtime after a failed start failed", { error: String(e) }));
    await registry?.stop().catch((e: unknown) => logger("stopping the registry after a failed start failed", { error: String(e) }));
    await stopModules(modules, logger);
    store.close();
    await lock.release();
    throw err;
  }
}

/** The readers of the Secrets Manager and Parameter Store modules among `modules` (by name), where they run. */
function secretReaders(modules: readonly ControlPlaneModule[]): { secrets?: SecretValueReader; parameters?: ParameterValueReader } {
  const secretsManager = modules.find((m): m is SecretsManagerModule => m.name === "secretsmanager" && "reader" in m);
  const ssm = modules.find((m): m is SsmModule => m.name === "ssm" && "reader" in m);
  return { ...(secretsManager ? { secrets: secretsManager.reader } : {}), ...(ssm ? { parameters: ssm.reader } : {}) };
}

/** Logs, metrics, EventBridge, CloudTrail, STS, IAM, KMS, Secrets Manager and Parameter Store, in the order their dependencies need. */
export const DEFAULT_MODULES: readonly ModuleFactory[] = [
  createLogsModule,
  createMetricsModule,
  createEventsModule,
  createAuditModule,
  createStsModule,
  createIamModule,
  createKmsModule,
  createSecretsManagerModule,
  createSsmModule,
];
