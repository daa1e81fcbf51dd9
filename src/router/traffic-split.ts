/**
 * A gradual rollout in HAProxy: the new version is a second backend (`c_<serviceId>`) next to
 * the service's (`s_<serviceId>`), chosen in the frontend per request:
 * - a client whose version cookie names one of the two deployments stays with it (sticky);
 * - any other client is chosen at random, `rand(100) < percent`, and gets the cookie.
 * A random choice per new client gives the exact share at any concurrency, which server weights
 * with leastconn do not (ties at 0 connections do not follow weights). The percent lives in
 * splits.map, edited over the runtime API: a step is no reload. Only the start and the end of a
 * rollout (the backend comes and goes) reload, hitlessly. While the new backend has no usable
 * server its clients go to the serving version. Request log lines name `c_<serviceId>` and the
 * new version's instance (%b/%s), so its requests are told apart and still count as the service's.
 */
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { ServiceRoute, TrafficSplit } from "./types.js";

export const CANARY_BACKEND_PREFIX = "c_";
export const VERSION_COOKIE = "openrunner-version";

export const canaryBackendName = (serviceId: string): string => `${CANARY_BACKEND_PREFIX}${serviceId}`;

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

function id(kind: string, value: string): string {
  if (!SAFE_ID.test(value)) throw new AppRunnerError("InternalServiceError", `unsafe ${kind} for the HAProxy configuration: ${JSON.stringify(value)}`);
  return value;
}

/** A route's split, when it has one that can take traffic. */
export const splitOf = (r: ServiceRoute): TrafficSplit | undefined => (r.state === "serving" && r.canary ? r.canary : undefined);

/** 0..100, whole: what splits.map holds. */
export const splitPercent = (s: TrafficSplit): number => Math.min(100, Math.max(0, Math.round(s.percent)));

/** The part of a split that needs a reload to change (its percent does not: splits.map). */
export function splitFingerprint(r: ServiceRoute): string {
  const s = splitOf(r);
  if (!s) return "-";
  const servers = s.instances.map((i) => `${i.id}@${i.address}:${i.port}`).join(",");
  return `${s.deploymentId}>${s.servingDeploymentId}[${servers}]`;
}

/** splits.map: `s_<serviceId> <percent>` per service with a split. */
export function renderSplitsMap(routes: readonly ServiceRoute[], backendName: (serviceId: string) => string): string {
  const lines: string[] = [];
  for (const r of routes) {
    const s = splitOf(r);
    if (s) lines.push(`${backendName(r.serviceId)} ${splitPercent(s)}`);
  }
  return lines.sort().join("\n") + (lines.length > 0 ? "\n" : "");
}

/**
 * Frontend rules, after txn.or_backend holds the host's backend and before use_backend. Each
 * service with a split gets its own lines (the deployment ids are fixed while it lasts).
 */
export function splitFrontendLines(routes: readonly ServiceRoute[], splitsMap: string, backendName: (serviceId: string) => string): string[] {
  const split = [...routes].filter((r) => splitOf(r)).sort((a, b) => a.serviceId.localeCompare(b.serviceId));
  if (split.length === 0) return [];
  const out = [
    "  # Gradual rollouts (src/router/traffic-split.ts): the version cookie, else a random pick by splits.map's percent.",
    `  http-request set-var(txn.or_pct) var(txn.or_backend),map_str_int(${splitsMap},-1) if { var(txn.or_backend) -m found }`,
    `  http-request set-var(txn.or_cookie) req.cook(${VERSION_COOKIE}) if { var(txn.or_pct) -m int ge 0 }`,
  ];
  const use: string[] = [];
  for (const r of split) {
    const s = splitOf(r);
    if (!s) continue;
    const be = backendName(r.serviceId);
    const cbe = canaryBackendName(r.serviceId);
    const mine = `{ var(txn.or_backend) -m str ${be} }`;
    const cid = id("deployment id", s.deploymentId);
    const sid = id("deployment id", s.servingDeploymentId);
    out.push(
      `  http-request set-var(txn.or_ver) str(${cid}) if ${mine} { var(txn.or_cookie) -m str ${cid} }`,
      `  http-request set-var(txn.or_ver) str(${sid}) if ${mine} { var(txn.or_cookie) -m str ${sid} }`,
      `  http-request set-var(txn.or_set) str(1) if ${mine} !{ var(txn.or_ver) -m found }`,
      `  http-request set-var(txn.or_ver) str(${cid}) if ${mine} !{ var(txn.or_ver) -m found } { rand(100),sub(txn.or_pct) lt 0 }`,
      `  http-request set-var(txn.or_ver) str(${sid}) if ${mine} !{ var(txn.or_ver) -m found }`,
    );
    use.push(`  use_backend ${cbe} if ${mine} { var(txn.or_ver) -m str ${cid} } { nbsrv(${cbe}) gt 0 }`);
  }
  out.push(`  http-response add-header Set-Cookie "${VERSION_COOKIE}=%[var(txn.or_ver)]; Path=/; HttpOnly; SameSite=Lax" if { var(txn.or_set) -m found }`);
  return [...out, ...use];
}

/** The runtime API command that brings a split's percent from `before` to `want` (same fingerprint), if it changed. */
export function splitPercentCommand(want: ServiceRoute, before: ServiceRoute, splitsMap: string, backendName: (serviceId: string) => string): string | undefined {
  const w = splitOf(want);
  const b = splitOf(before);
  if (!w || (b && splitPercent(b) === splitPercent(w))) return undefined;
  return `set map ${splitsMap} ${backendName(want.serviceId)} ${splitPercent(w)}`;
}

/**
 * Before the reload that removes (or replaces) a split: the running worker sends every client
 * of the service to the serving version at once (-1 in splits.map skips the cookie and the
 * random pick), so an abort does not wait for a reload. Resolves false: the caller reloads.
 */
export async function cutSplit(want: ServiceRoute, live: ServiceRoute | undefined, splitsMap: string, backendName: (serviceId: string) => string, cmd: (text: string) => Promise<unknown>): Promise<false> {
  if (live && splitOf(live) && splitFingerprint(live) !== splitFingerprint(want)) await cmd(`set map ${splitsMap} ${backendName(want.serviceId)} -1`);
  return false;
}
