import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_QUOTAS, type ControlPlaneConfig } from "../../src/domain/config.js";
import type { ServiceInternal, ServiceRow, ServiceStatus } from "../../src/domain/service-record.js";
import { Engine, type EngineOptions } from "../../src/engine/engine.js";
import type { RuntimeSecretResolver } from "../../src/domain/runtime-secrets.js";
import type { ArtifactResolver } from "../../src/engine/artifact/types.js";
import type { RuntimeDriver } from "../../src/runtime/driver.js";
import { ScriptedRuntimeDriver } from "./scripted-driver.js";
import type { BusEvent } from "../../src/store/event-outbox.js";
import type { OperationRow, OperationState, OperationStatus, OperationType } from "../../src/store/operations.js";
import { Store } from "../../src/store/store.js";
import { LogStore } from "../../src/telemetry/logs/store/log-store.js";
import { ServiceEventRecorder } from "../../src/telemetry/service-events.js";
import { deploymentStream, serviceLogGroup } from "../../src/telemetry/log-groups.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { serviceDoc } from "./service-fixture.js";

export const CONFIG: ControlPlaneConfig = {
  region: "us-east-1",
  accountId: "123456789012",
  baseDomain: "openrunner.localhost",
  quotas: DEFAULT_QUOTAS,
};

function scriptedArtifacts(driver: RuntimeDriver): ArtifactResolver {
  if (driver instanceof ScriptedRuntimeDriver) return driver.artifacts;
  throw new Error(`give the engine fixture an artifact resolver for the ${driver.name} driver`);
}

/** A real Store in a temp directory, with injected time and randomness, for engine tests. */
export class EngineFixture {
  readonly dir = mkdtempSync(join(tmpdir(), "openrunner-engine-"));
  readonly store = Store.open(join(this.dir, "openrunner.db"));
  readonly clock = new ManualClock();
  readonly random = new SeededRandom(7);
  /** The service event lines, in the log store the server would use. */
  readonly logs = LogStore.open(join(this.dir, "logs.db"), this.clock);
  readonly logged: string[] = [];
  private serviceCount = 0;
  private operationCount = 0;
  private readonly engines: Engine[] = [];

  /** A new engine over the same store, as a restarted process would make; a scripted driver brings its scripted artifacts. */
  engine(driver: RuntimeDriver, options: EngineOptions = {}, artifacts: ArtifactResolver = scriptedArtifacts(driver), secrets?: RuntimeSecretResolver): Engine {
    const events = new ServiceEventRecorder(this.store, CONFIG, this.clock, this.random, this.logs);
    const logger = (message: string): void => {
      this.logged.push(message);
    };
    const engine = new Engine({ store: this.store, driver, artifacts, clock: this.clock, random: this.random, config: CONFIG, events, logger, ...(secrets ? { secrets } : {}) }, options);
    this.engines.push(engine);
    return engine;
  }

  /** A service as the API leaves it when it accepts an operation (status OPERATION_IN_PROGRESS). */
  service(status: ServiceStatus = "OPERATION_IN_PROGRESS", currentDeploymentId: string | null = null): ServiceRow {
    this.serviceCount++;
    const name = `svc-${this.serviceCount}`;
    const id = `${String(this.serviceCount).padStart(2, "0")}${"ab".repeat(15)}`;
    const arn = `arn:aws:apprunner:${CONFIG.region}:${CONFIG.accountId}:service/${name}/${id}`;
    return this.store.resources.insert<ServiceRow["doc"], ServiceInternal>({
      arn,
      kind: "service",
      name,
      status,
      doc: serviceDoc(arn, name, id, status),
      internal: { currentDeploymentId },
      createdAt: this.clock.now(),
    });
  }

  operation(s: ServiceRow, type: OperationType, status: OperationStatus = "PENDING", state: Partial<OperationState> = {}): OperationRow {
    this.operationCount++;
    const id = `00000000-0000-4000-8000-${String(this.operationCount).padStart(12, "0")}`;
    return this.store.operations.insert({ id, serviceArn: s.arn, type, status, startedAt: this.clock.now(), state: { phase: "start", ...state } });
  }

  current(s: ServiceRow): ServiceRow {
    const row = this.store.resources.get<ServiceRow["doc"], ServiceInternal>(s.arn);
    if (!row) throw new Error(`service ${s.arn} is gone from the store`);
    return row;
  }

  op(id: string): OperationRow {
    const row = this.store.operations.get(id);
    if (!row) throw new Error(`operation ${id} is gone from the store`);
    return row;
  }

  /** The EventBridge events written for a service, oldest first. */
  events(s: ServiceRow, detailType: string): BusEvent[] {
    return this.store.outbox
      .after(0)
      .map((r) => r.event)
      .filter((e) => e.resources.includes(s.arn) && e["detail-type"] === detailType);
  }

  operationStatuses(s: ServiceRow): unknown[] {
    return this.events(s, "AppRunner Service Operation Status Change").map((e) => e.detail.Status);
  }

  deploymentLog(s: ServiceRow, operationId: string): string[] {
    const group = this.logs.catalog.group(serviceLogGroup(s.name, s.doc.ServiceId ?? ""));
    const stream = group && this.logs.catalog.stream(group.id, deploymentStream(operationId));
    if (!stream) return [];
    return this.logs.events
      .streamPage({ streamId: stream.id, start: 0, endExclusive: Number.MAX_SAFE_INTEGER, direction: "forward", limit: 10_000 })
      .map((l) => l.message);
  }

  async close(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.stop()));
    this.store.close();
    this.logs.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Bounded polling on the store (never a fixed sleep). */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
