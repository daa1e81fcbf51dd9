/**
 * Which Engine API version OpenRunner speaks to a Docker daemon, negotiated from its
 * `/version` as the Docker CLI does: the daemon's own version, capped at the newest this code
 * knows, and refused below the oldest it was written for. Never a hard-coded old version:
 * Docker 29 refuses anything below 1.44, Debian's Docker 20.10 speaks at most 1.41.
 */

/** The oldest API this driver uses (Docker 20.10, Debian 12's `docker.io`). */
export const MIN_ENGINE_API = "1.41";
/** The newest API this driver was checked against; a newer daemon is spoken to in this one. */
export const MAX_ENGINE_API = "1.51";

/** What `/version` says about the API. */
export interface DaemonApiVersions {
  ApiVersion: string;
  MinAPIVersion?: string;
}

function parse(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Orders two "major.minor" API versions (negative when a < b). */
export function compareApiVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) throw new RangeError(`not an Engine API version: ${pa ? b : a}`);
  return pa[0] - pb[0] || pa[1] - pb[1];
}

export type Negotiated = { ok: true; version: string } | { ok: false; reason: string };

/**
 * Pure: the version to use with a daemon, or why none fits. The daemon's newest, capped at
 * ours; refused when the daemon is older than MIN_ENGINE_API or its own minimum is newer than
 * the version we would use.
 */
export function negotiateApiVersion(daemon: DaemonApiVersions): Negotiated {
  if (!parse(daemon.ApiVersion)) return { ok: false, reason: `the daemon reports an unreadable API version "${daemon.ApiVersion}"` };
  if (compareApiVersions(daemon.ApiVersion, MIN_ENGINE_API) < 0) {
    return { ok: false, reason: `the Docker daemon speaks Engine API ${daemon.ApiVersion}; OpenRunner needs ${MIN_ENGINE_API} or newer (Docker 20.10+)` };
  }
  const version = compareApiVersions(daemon.ApiVersion, MAX_ENGINE_API) > 0 ? MAX_ENGINE_API : daemon.ApiVersion;
  if (daemon.MinAPIVersion && parse(daemon.MinAPIVersion) && compareApiVersions(daemon.MinAPIVersion, version) > 0) {
    return { ok: false, reason: `the Docker daemon needs Engine API ${daemon.MinAPIVersion} or newer; OpenRunner speaks up to ${MAX_ENGINE_API}` };
  }
  return { ok: true, version };
}
