/**
 * The managed runtimes by their two names: the API's Runtime enum (NODEJS_18) and the
 * configuration file's `runtime` (nodejs18, the enum value lower-cased without the underscore,
 * which is the guide's `<language-name><major-version>` convention).
 */
import type { Runtime } from "@aws-sdk/client-apprunner";
import type { ManagedRuntime } from "../types.js";

/**
 * Every value of the API's Runtime enum, and whether OpenRunner builds it. A Record over the
 * enum so that a new SDK runtime fails to compile until it is listed here.
 */
const API_RUNTIMES: Record<Runtime, boolean> = {
  PYTHON_3: true,
  PYTHON_311: true,
  NODEJS_12: true,
  NODEJS_14: true,
  NODEJS_16: true,
  NODEJS_18: true,
  NODEJS_22: true,
  CORRETTO_8: false,
  CORRETTO_11: false,
  DOTNET_6: false,
  GO_1: false,
  PHP_81: false,
  RUBY_31: false,
};

/** The API enum name's configuration-file spelling: NODEJS_18 -> nodejs18. */
export const fileRuntimeName = (runtime: Runtime): string => runtime.toLowerCase().replace("_", "");

/** The runtimes this host builds, in the API's spelling, in a stable order. */
export const MANAGED_RUNTIMES: readonly ManagedRuntime[] = [
  "PYTHON_3",
  "PYTHON_311",
  "NODEJS_12",
  "NODEJS_14",
  "NODEJS_16",
  "NODEJS_18",
  "NODEJS_22",
];

const isManaged = (runtime: string): runtime is ManagedRuntime => (MANAGED_RUNTIMES as readonly string[]).includes(runtime);

/** API enum values that exist but are not built here yet (CORRETTO_11, GO_1, ...). */
export const NOT_YET_SUPPORTED: readonly Runtime[] = (Object.keys(API_RUNTIMES) as Runtime[]).filter((r) => !API_RUNTIMES[r]);

/** What a runtime name means: one we build, one App Runner has but we do not yet, or neither. */
export type RuntimeLookup = { kind: "managed"; runtime: ManagedRuntime } | { kind: "not-yet" } | { kind: "unknown" };

/** Looks up a configuration-file runtime name (python3, nodejs18). Case-sensitive, as in the file. */
export function lookupFileRuntime(name: string): RuntimeLookup {
  for (const r of Object.keys(API_RUNTIMES) as Runtime[]) {
    if (fileRuntimeName(r) === name) return isManaged(r) ? { kind: "managed", runtime: r } : { kind: "not-yet" };
  }
  return { kind: "unknown" };
}

/** Looks up an API Runtime enum value (NODEJS_18). */
export function lookupApiRuntime(name: string): RuntimeLookup {
  if (isManaged(name)) return { kind: "managed", runtime: name };
  if (Object.hasOwn(API_RUNTIMES, name)) return { kind: "not-yet" };
  return { kind: "unknown" };
}

/** Node.js or Python, and the version every runtime-version must stay within ("18", "3", "3.11"). */
export interface RuntimeFamily {
  language: "Node.js" | "Python";
  /** The part of the version the runtime name itself fixes: nodejs18 -> "18", python3 -> "3", python311 -> "3.11". */
  base: string;
}

export function runtimeFamily(runtime: ManagedRuntime): RuntimeFamily {
  switch (runtime) {
    // python3 and python311 are both Debian 12's Python 3.11 here: the host's versions decide.
    case "PYTHON_3":
      return { language: "Python", base: "3" };
    case "PYTHON_311":
      return { language: "Python", base: "3.11" };
    case "NODEJS_12":
      return { language: "Node.js", base: "12" };
    case "NODEJS_14":
      return { language: "Node.js", base: "14" };
    case "NODEJS_16":
      return { language: "Node.js", base: "16" };
    case "NODEJS_18":
      return { language: "Node.js", base: "18" };
    case "NODEJS_22":
      return { language: "Node.js", base: "22" };
  }
}
