import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { HOLD_LUA, paths, renderHostsMap } from "./haproxy-config.js";
import type { ServiceRoute } from "./types.js";

/** The router directory's files, each replaced atomically (0600): what survives the control plane. */
export class RouterFiles {
  private readonly p: ReturnType<typeof paths>;

  constructor(routerDir: string) {
    this.p = paths(routerDir);
  }

  /** The routes the control plane wants; read back at every start. */
  writeRoutes(routes: Iterable<ServiceRoute>): void {
    this.write(this.p.routes, JSON.stringify({ routes: [...routes] }, null, 2) + "\n");
  }

  readRoutes(): ServiceRoute[] {
    let text: string;
    try {
      text = readFileSync(this.p.routes, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const parsed = JSON.parse(text) as { routes?: ServiceRoute[] };
    return Array.isArray(parsed.routes) ? parsed.routes : [];
  }

  writeHostsMap(routes: readonly ServiceRoute[]): void {
    this.write(this.p.hostsMap, renderHostsMap(routes));
  }

  /** haproxy.cfg without validation: only for the state the running worker already has (reloads validate). */
  writeConfig(text: string): void {
    this.write(this.p.config, text);
  }

  writeHoldScript(): void {
    this.write(this.p.holdScript, HOLD_LUA);
  }

  private write(path: string, text: string): void {
    writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }
}
