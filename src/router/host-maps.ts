import { hostTables } from "./custom-domains.js";
import type { RouterFiles } from "./router-files.js";
import { syncMap } from "./runtime-maps.js";
import type { ServiceRoute } from "./types.js";

export interface HostMapsDeps {
  files: RouterFiles;
  hostsMap: string;
  wildcardsMap: string;
  /** One runtime API command that must answer nothing. */
  cmd: (text: string) => Promise<unknown>;
  /** setCustomDomainHosts per service (CustomDomainPlane.hosts), read at each render. */
  customHosts: ReadonlyMap<string, readonly string[]>;
}

/**
 * The host names HAProxy routes by (hosts.map, and wildcards.map consulted only when an exact
 * name misses): what the running worker holds, so a change is a few runtime map edits rather than
 * a reload, and the files reloads and restarts read.
 */
export class HostMaps {
  private exact = new Map<string, string>();
  private wildcard = new Map<string, string>();

  constructor(private readonly d: HostMapsDeps) {}

  /** The map files for these routes (read by the next reload or restart). */
  write(routes: Iterable<ServiceRoute>): void {
    this.d.files.writeHostMaps(hostTables(routes, this.d.customHosts));
  }

  /** After a (re)start or reload the worker's maps are exactly what was rendered for these routes. */
  rendered(routes: Iterable<ServiceRoute>): void {
    const tables = hostTables(routes, this.d.customHosts);
    this.exact = tables.exact;
    this.wildcard = tables.wildcard;
  }

  /** Edits the running maps to the hosts of `live` (routes whose backends the worker has), then writes the files for `all`. */
  async sync(live: Iterable<ServiceRoute>, all: Iterable<ServiceRoute>): Promise<void> {
    const want = hostTables(live, this.d.customHosts);
    this.exact = await syncMap(this.d.cmd, this.d.hostsMap, this.exact, want.exact);
    this.wildcard = await syncMap(this.d.cmd, this.d.wildcardsMap, this.wildcard, want.wildcard);
    this.write(all);
  }
}
