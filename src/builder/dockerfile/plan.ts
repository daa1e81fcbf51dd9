/**
 * Which build a code service gets: App Runner's managed runtimes, or OpenRunner's Dockerfile
 * build (an extension App Runner does not have). The extension only takes cases App Runner
 * itself refuses, so every apprunner.yaml App Runner accepts builds exactly as it would there:
 *
 * - ConfigurationSource API: always the managed runtime (CodeConfigurationValues.Runtime).
 * - ConfigurationSource REPOSITORY with an apprunner.yaml that has a top-level `openrunner` key
 *   (a key App Runner's schema refuses): the Dockerfile build that key describes.
 * - REPOSITORY without apprunner.yaml but with a `Dockerfile` in the source directory (App Runner
 *   fails such a deployment): the Dockerfile build with its defaults.
 * - Otherwise the managed build, whose own checks report what is missing or wrong.
 *
 * Pure: the caller reads the files; this decides and validates.
 */
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { byLine } from "../config/apprunner-yaml.js";
import { FILE_KEY, Reader } from "../config/apprunner-yaml-reader.js";
import type { ConfigProblem } from "../types.js";

/** The top-level key of apprunner.yaml that selects a Dockerfile build. */
export const EXTENSION_KEY = "openrunner";
export const DEFAULT_DOCKERFILE = "Dockerfile";
const TOP_KEYS = ["version", EXTENSION_KEY] as const;
const EXTENSION_KEYS = ["dockerfile", "target", "build-args"] as const;

/** A Dockerfile build: which file, which stage, which build arguments. */
export interface DockerfilePlan {
  /** Where the choice came from, for messages. */
  source: "apprunner.yaml" | "Dockerfile";
  /** Path of the Dockerfile, relative to the source directory. */
  dockerfile: string;
  /** The stage to build (`--target`); the last stage when absent. */
  target?: string;
  /** `ARG` values (`--build-arg NAME=value`). */
  buildArgs: Record<string, string>;
}

export interface BuildChoiceInput {
  configurationSource: "API" | "REPOSITORY";
  /** apprunner.yaml's text; undefined when the source directory has none. */
  apprunnerYaml?: string;
  /** Whether the source directory has a file named `Dockerfile`. */
  hasDockerfile: boolean;
}

export type BuildChoice =
  | { kind: "managed" }
  | { kind: "dockerfile"; plan: DockerfilePlan }
  | { kind: "invalid"; problems: ConfigProblem[] };

export function chooseBuild(input: BuildChoiceInput): BuildChoice {
  if (input.configurationSource === "API") return { kind: "managed" };
  if (input.apprunnerYaml !== undefined) return parseExtension(input.apprunnerYaml);
  if (input.hasDockerfile) return { kind: "dockerfile", plan: { source: "Dockerfile", dockerfile: DEFAULT_DOCKERFILE, buildArgs: {} } };
  return { kind: "managed" };
}

/**
 * apprunner.yaml with the `openrunner` key: `version: 1.0` and that key only. Without the key
 * (or when the YAML does not parse) the file is App Runner's and is left to its parser.
 */
export function parseExtension(text: string): BuildChoice {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return { kind: "managed" };
  const r = new Reader(doc, lines);
  const root = r.resolve(doc.contents);
  if (!isMap(root) || !root.items.some((p) => isScalar(p.key) && p.key.value === EXTENSION_KEY)) return { kind: "managed" };
  const rootLine = r.lineOf(root, 1);
  const top = r.mapping(root, "", 1, TOP_KEYS, `${EXTENSION_KEY}: { dockerfile: Dockerfile }`);
  const problems = (): ConfigProblem[] =>
    r.problems.map((p) =>
      p.key !== FILE_KEY && p.message.startsWith("unknown key") && !p.key.includes(".")
        ? { ...p, message: `${p.key} cannot be used with ${EXTENSION_KEY}: a Dockerfile build takes its runtime, commands and start command from the Dockerfile` }
        : p,
    ).sort(byLine);
  if (!top) return { kind: "invalid", problems: problems() };
  r.version(top, rootLine);
  const ext = top.get(EXTENSION_KEY);
  let plan: DockerfilePlan | undefined;
  if (ext) {
    const fields = r.mapping(ext.value, ext.path, ext.valueLine, EXTENSION_KEYS, "dockerfile: Dockerfile");
    if (fields) {
      const file = fields.get("dockerfile");
      const dockerfile = file ? r.text(file, "a path relative to the source directory, e.g. Dockerfile") : DEFAULT_DOCKERFILE;
      if (file && dockerfile !== undefined && !safeRelativePath(dockerfile)) {
        r.problem(file.path, file.valueLine, `${file.path} "${dockerfile}" must be a path inside the source directory, e.g. Dockerfile or docker/app.Dockerfile`);
      }
      const targetEntry = fields.get("target");
      const target = targetEntry ? r.text(targetEntry, "the name of a stage (FROM ... AS <name>)") : undefined;
      if (targetEntry && target !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) {
        r.problem(targetEntry.path, targetEntry.valueLine, `${targetEntry.path} "${target}" is not a stage name`);
      }
      const argsEntry = fields.get("build-args");
      const buildArgs = argsEntry ? r.env(argsEntry) : {};
      if (dockerfile !== undefined && buildArgs) {
        plan = { source: "apprunner.yaml", dockerfile, buildArgs, ...(target !== undefined ? { target } : {}) };
      }
    }
  }
  const found = problems();
  if (found.length > 0 || !plan) return { kind: "invalid", problems: found };
  return { kind: "dockerfile", plan };
}

/** A relative path that stays inside its directory: no absolute path, no `..` segment. */
function safeRelativePath(p: string): boolean {
  if (p === "" || p.startsWith("/") || p.includes("\0")) return false;
  return p.split("/").every((seg) => seg !== "..");
}
