/**
 * The source-code path's contracts (issue 5): git source -> build plan -> runtime image ->
 * build in a sandbox -> OCI image in the image store -> the same blue/green deployment as an
 * image service. Each stage is its own folder; these types are how they meet.
 */

/** The API's managed runtimes (Runtime enum) this host can build. */
export type ManagedRuntime = "PYTHON_3" | "PYTHON_311" | "NODEJS_12" | "NODEJS_14" | "NODEJS_16" | "NODEJS_18" | "NODEJS_22";

/** Everything a build needs to know, from apprunner.yaml or CodeConfigurationValues. */
export interface BuildPlan {
  /** Where the values came from, for messages. */
  source: "apprunner.yaml" | "API";
  runtime: ManagedRuntime;
  /** run.runtime-version as written ("18", "18.19", "18.19.1"), if any. */
  runtimeVersion?: string;
  /** build.commands.pre-build / build / post-build, in order. */
  preBuild: string[];
  build: string[];
  postBuild: string[];
  /** build.env */
  buildEnv: Record<string, string>;
  /** run.pre-run (commands run in the image before the start command, at build time of the image). */
  preRun: string[];
  /** run.command (StartCommand). */
  startCommand: string;
  /** run.network.port (default 8080). */
  port: number;
  /** run.network.env: an extra variable that also carries the port. */
  portEnv?: string;
  /** run.env */
  runEnv: Record<string, string>;
  /**
   * run.secrets (or RuntimeEnvironmentSecrets): variable name -> value-from. References only:
   * they travel with the built image and are resolved at each deployment, never at build time.
   */
  secrets?: Record<string, string>;
}

/**
 * The label of a built image that holds its secrets' references (JSON: variable name ->
 * value-from), so a resume or a rollback that runs the image again, on any host, resolves the
 * same secrets. References only: values never enter an image.
 */
export const SECRET_REFERENCES_LABEL = "openrunner.secrets";

/** The secret references a built image carries (its SECRET_REFERENCES_LABEL), by variable name; empty when none. */
export function secretReferencesOfImage(labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const text = labels?.[SECRET_REFERENCES_LABEL];
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not ours (a Dockerfile's own label): no references, rather than a deployment that cannot start.
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** A mistake in apprunner.yaml (or in the API values), with where it is. */
export interface ConfigProblem {
  /** Dotted key path, e.g. "build.commands.build". */
  key: string;
  /** 1-based line in apprunner.yaml; absent for API values. */
  line?: number;
  message: string;
}

/** A runtime root filesystem on this host, built once and cached. */
export interface RuntimeImage {
  runtime: ManagedRuntime;
  /** Exact version provided (Python 3.11.2, Node.js 18.19.1). */
  version: string;
  /** Read-only root filesystem directory. */
  rootfs: string;
  /** PATH and other variables the runtime needs, `NAME=value`. */
  env: string[];
}
