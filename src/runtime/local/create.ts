import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiDeps } from "../../api/context.js";
import { LocalImageStore } from "../../images/image-store.js";
import { loadRegistryConfig } from "../../images/registry-config.js";
import type { HttpRoute } from "../../modules.js";
import { ImageWatcher } from "../../sources/image-watcher.js";
import { registryNotificationsRoute } from "../../sources/registry-notifications.js";
import type { Store } from "../../store/store.js";
import type { LogSink } from "../../telemetry/log-sink.js";
import type { ServiceEventRecorder } from "../../telemetry/service-events.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import { LocalRuntimeDriver } from "./driver.js";
import { hostLayout, type LocalRuntimeSettings } from "./setup.js";

export interface LocalRuntime {
  driver: LocalRuntimeDriver;
  images: LocalImageStore;
  imageWatcher: ImageWatcher;
  routes: HttpRoute[];
  notifyToken: string;
}

export interface LocalRuntimeDeps {
  dataDir: string;
  store: Store;
  clock: Clock;
  random: Random;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  logs: LogSink;
  events: ServiceEventRecorder;
  settings: LocalRuntimeSettings;
  apiDeps: ApiDeps;
}

const DEFAULT_IMAGE_POLL_MS = 60_000;

/** The token registries present on push notifications: made once, 0600, beside the credentials. */
function notifyToken(dataDir: string, random: Random): string {
  const file = join(dataDir, "registry-notify.token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const token = random.bytes(24).toString("hex");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The image store, the runc driver and automatic image deployment, wired for one data directory. */
export async function createLocalRuntime(deps: LocalRuntimeDeps): Promise<LocalRuntime> {
  const images = new LocalImageStore({ dir: join(deps.dataDir, "images"), config: await loadRegistryConfig(deps.dataDir), logger: deps.logger });
  const driver = new LocalRuntimeDriver({
    runtimeDir: join(deps.dataDir, "runtime"),
    layout: hostLayout(deps.store, deps.dataDir, deps.random, deps.settings),
    images,
    clock: deps.clock,
    random: deps.random,
    logs: deps.logs,
    serviceEvent: (service, message) => deps.events.eventsLine(service, message),
    logger: deps.logger,
    startupBudgetMs: deps.settings.startupBudgetMs,
    stopGraceMs: deps.settings.stopGraceMs,
    superviseMs: deps.settings.superviseMs,
  });
  const imageWatcher = new ImageWatcher({
    deps: deps.apiDeps,
    images,
    pollMs: deps.settings.imagePollMs ?? DEFAULT_IMAGE_POLL_MS,
    logger: deps.logger,
  });
  const token = notifyToken(deps.dataDir, deps.random);
  const route = registryNotificationsRoute(token, (p) => imageWatcher.onPush(p.registryHost, p.repository, p.tag, p.digest), deps.logger);
  return { driver, images, imageWatcher, routes: [route], notifyToken: token };
}
