import type { ServiceRoute } from "../types.js";
import type { StartFailureNotice } from "./start-failures.js";

/** The route table as edge routers fetch it: its JSON body and a version that only grows. */
export interface TableVersion {
  version: number;
  /** `"<boot>.<version>"`: sent as the ETag, sent back by edge routers with their load. */
  etag: string;
  body: string;
}

/**
 * Versions the local router's desired routes for edge routers: the version grows each time the
 * table is read and differs from the last read. The boot id tells versions of an earlier
 * control-plane process apart (their numbers restart).
 */
export class RouteTable {
  private last: TableVersion | undefined;

  constructor(
    private readonly routes: () => ServiceRoute[],
    private readonly boot: string,
    /** Failed starts edge routers answer held requests 503 for (start-failures.ts); listed only while there are some. */
    private readonly startFailures: () => StartFailureNotice[] = () => [],
  ) {}

  current(): TableVersion {
    const startFailed = this.startFailures();
    const body = `${JSON.stringify({ routes: this.routes(), ...(startFailed.length > 0 ? { startFailed } : {}) })}\n`;
    if (this.last?.body !== body) {
      const version = (this.last?.version ?? 0) + 1;
      this.last = { version, etag: `"${this.boot}.${version}"`, body };
    }
    return this.last;
  }

  /** The version an edge router reports having applied; undefined for a table of another boot (or none). */
  versionOf(etag: string | undefined): number | undefined {
    const m = /^"([^".]+)\.(\d+)"$/.exec(etag ?? "");
    return m && m[1] === this.boot ? Number(m[2]) : undefined;
  }
}
