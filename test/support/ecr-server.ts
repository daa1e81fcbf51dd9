import { ECRClient } from "@aws-sdk/client-ecr";
import { ecrModule, type EcrModule } from "../../src/ecr/module.js";
import { DEFAULT_MODULES } from "../../src/server.js";
import { FakeRegistry } from "./fake-registry.js";
import { startInProcess, type InProcessServer } from "./harness.js";

export interface EcrServer {
  server: InProcessServer;
  /** The in-memory registry behind the ECR API: tests push images into it. */
  registry: FakeRegistry;
  ecr: ECRClient;
  module(): EcrModule;
  /** What the server logged so far. */
  logs(): { message: string; fields?: Record<string, unknown> }[];
  close(): Promise<void>;
}

/**
 * The real server (default modules) with the ECR module over an in-memory registry, until the
 * built-in registry is wired in: the lifecycle sweep runs only when asked or a policy changes.
 */
export async function startEcrServer(opts: { dataDir?: string; registry?: FakeRegistry } = {}): Promise<EcrServer> {
  const registry = opts.registry ?? new FakeRegistry();
  let made: EcrModule | undefined;
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const server = await startInProcess({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    logger: (message, fields) => lines.push({ message, fields }),
    modules: [
      ...DEFAULT_MODULES,
      (deps) => {
        made = ecrModule(registry, registry, { lifecycleSweepMs: 0 })(deps);
        return made;
      },
    ],
  });
  const ecr = new ECRClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
  return {
    server,
    registry,
    ecr,
    module() {
      if (!made) throw new Error("the ECR module was not built");
      return made;
    },
    logs: () => lines,
    async close() {
      ecr.destroy();
      await server.close();
    },
  };
}
