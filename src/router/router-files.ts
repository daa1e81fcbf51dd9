import { readIfExists, writePrivateFileAtomically } from "../util/private-files.js";
import { renderMap, type HostTables } from "./custom-domains.js";
import { HOLD_LUA, paths } from "./haproxy-config.js";
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
    const parsed = this.readJson<{ routes?: ServiceRoute[] }>(this.p.routes);
    return Array.isArray(parsed?.routes) ? parsed.routes : [];
  }

  /** hosts.map and wildcards.map (both must exist before HAProxy loads its config). */
  writeHostMaps(tables: HostTables): void {
    this.write(this.p.hostsMap, renderMap(tables.exact));
    this.write(this.p.wildcardsMap, renderMap(tables.wildcard));
  }

  /** splits.map: gradual rollouts' percent per service (traffic-split.ts). */
  writeSplits(text: string): void {
    this.write(this.p.splitsMap, text);
  }

  /** Custom domain hosts per service: the control plane's word, kept while the service has no route. */
  writeCustomHosts(hosts: ReadonlyMap<string, readonly string[]>): void {
    this.write(this.p.customHosts, JSON.stringify({ services: Object.fromEntries(hosts) }, null, 2) + "\n");
  }

  readCustomHosts(): Map<string, string[]> {
    const parsed = this.readJson<{ services?: Record<string, string[]> }>(this.p.customHosts);
    return new Map(Object.entries(parsed?.services ?? {}).filter(([, h]) => Array.isArray(h) && h.length > 0));
  }

  writeChallenges(challenges: ReadonlyMap<string, string>): void {
    this.write(this.p.challengesMap, renderMap(challenges));
  }

  /** acme-challenges.map back: pending HTTP-01 challenges survive a restart of the control plane. */
  readChallenges(): Map<string, string> {
    const text = readIfExists(this.p.challengesMap) ?? "";
    const out = new Map<string, string>();
    for (const line of text.split("\n")) {
      const [token, value] = line.split(" ");
      if (token && value) out.set(token, value);
    }
    return out;
  }

  /** haproxy.cfg without validation: only for the state the running worker already has (reloads validate). */
  writeConfig(text: string): void {
    this.write(this.p.config, text);
  }

  writeHoldScript(): void {
    this.write(this.p.holdScript, HOLD_LUA);
  }

  private readJson<T>(path: string): T | undefined {
    const text = readIfExists(path);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  private write(path: string, text: string): void {
    writePrivateFileAtomically(path, text);
  }
}
