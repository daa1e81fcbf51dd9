/**
 * apprunner.yaml -> BuildPlan, as the guide's "App Runner configuration file reference" defines
 * it (version 1.0; runtime; build.commands pre-build / build / post-build; build.env;
 * run.runtime-version; run.command; run.network.port and env; run.env), plus the later keys
 * users rely on (run.pre-run; run.secrets: `- name: X` / `value-from: <secret or parameter>`,
 * references that travel with the built image and are resolved at each deployment).
 *
 * Pure: text in, plan and problems out. Every problem names its dotted key and its 1-based line.
 * YAML itself is parsed by the `yaml` package, which keeps every node's source offsets.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { BuildPlan, ConfigProblem, ManagedRuntime } from "../types.js";
import { fileRuntimeName, lookupFileRuntime, MANAGED_RUNTIMES } from "./runtimes.js";
import { checkRuntimeVersion } from "./runtime-version.js";
import { parseSecretSource, secretNameProblem } from "../../domain/runtime-secrets.js";

export interface ApprunnerYamlResult {
  /** Present only when there are no problems. */
  plan?: BuildPlan;
  /** Sorted by line. */
  problems: ConfigProblem[];
  /**
   * The line of every key in the file by dotted path ("run.runtime-version": 12), so a later
   * stage that finds a problem with a value (a runtime-version this host cannot provide) can
   * point at its line.
   */
  keyLines: Record<string, number>;
}

/** The key of problems about the file as a whole (empty, not a mapping). */
export const FILE_KEY = "(file)";

const TOP_KEYS = ["version", "runtime", "build", "run"] as const;
const BUILD_KEYS = ["commands", "env"] as const;
const COMMANDS_KEYS = ["pre-build", "build", "post-build"] as const;
const RUN_KEYS = ["runtime-version", "command", "network", "env", "pre-run", "secrets"] as const;
const NETWORK_KEYS = ["port", "env"] as const;

export const SUPPORTED_FILE_RUNTIMES: readonly string[] = MANAGED_RUNTIMES.map(fileRuntimeName);

export const DEFAULT_PORT = 8080;

/** An environment variable name we can pass on: no `=`, no NUL, no whitespace. */
export const ENV_NAME = /^[^=\s\0]+$/;

export interface Entry {
  path: string;
  keyLine: number;
  /** The value node, aliases resolved; null when the key has no value. */
  value: unknown;
  valueLine: number;
}

/** Reads a parsed apprunner.yaml node by node, collecting problems with their dotted keys and lines. */
export class Reader {
  readonly problems: ConfigProblem[] = [];
  readonly keyLines: Record<string, number> = {};

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  problem(key: string, line: number, message: string): void {
    this.problems.push({ key, line, message });
  }

  lineAt(offset: number): number {
    return Math.max(1, this.lines.linePos(offset).line);
  }

  lineOf(node: unknown, fallback: number): number {
    if (isNode(node) && node.range) return this.lineAt(node.range[0]);
    return fallback;
  }

  /** Follows an alias (`*name`) to its anchor's node; null for an empty value. */
  resolve(node: unknown): unknown {
    const target = isAlias(node) ? node.resolve(this.doc) : node;
    if (target === undefined || (isScalar(target) && target.value === null)) return null;
    return target;
  }

  /**
   * A mapping's entries by key, reporting keys that are not allowed at this level. Undefined
   * (and a problem) when the node is not a mapping.
   */
  mapping(node: unknown, path: string, line: number, allowed: readonly string[], example: string): Map<string, Entry> | undefined {
    const where = path === "" ? "at the top level" : `in ${path}`;
    if (!isMap(node)) {
      const key = path === "" ? FILE_KEY : path;
      const what = path === "" ? "apprunner.yaml" : path;
      this.problem(key, this.lineOf(node, line), `${what} must be a mapping of ${allowed.join(", ")}, e.g. ${example}`);
      return undefined;
    }
    const entries = new Map<string, Entry>();
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      const keyLine = this.lineOf(pair.key, this.lineOf(pair.value, line));
      if (!isScalar(keyNode) || (typeof keyNode.value !== "string" && typeof keyNode.value !== "number")) {
        this.problem(path === "" ? FILE_KEY : path, keyLine, `keys ${where} must be plain names; allowed: ${allowed.join(", ")}`);
        continue;
      }
      const name = keyNode.source ?? String(keyNode.value);
      const childPath = path === "" ? name : `${path}.${name}`;
      this.keyLines[childPath] = keyLine;
      if (!allowed.includes(name)) {
        this.problem(childPath, keyLine, `unknown key ${childPath}; allowed ${where}: ${allowed.join(", ")}`);
        continue;
      }
      const value = this.resolve(pair.value);
      entries.set(name, { path: childPath, keyLine, value, valueLine: this.lineOf(pair.value, keyLine) });
    }
    return entries;
  }

  /** version: required, 1.0. */
  version(top: Map<string, Entry>, rootLine: number): void {
    const version = top.get("version");
    if (!version) {
      this.problem("version", rootLine, "version is required: add version: 1.0");
      return;
    }
    const v = version.value;
    const written = this.scalarText(v);
    const isOne = isScalar(v) && (v.value === 1 || v.value === "1.0" || v.value === "1");
    if (!isOne) {
      const shown = written === undefined ? "" : ` ${written}`;
      this.problem("version", version.valueLine, `version${shown} is not supported; use version: 1.0`);
    }
  }

  /** A scalar as text: strings as they are, numbers and booleans as written (3.10 stays "3.10"). */
  scalarText(node: unknown): string | undefined {
    if (!isScalar(node)) return undefined;
    if (typeof node.value === "string") return node.value;
    if (typeof node.value === "number" || typeof node.value === "boolean" || typeof node.value === "bigint") {
      return node.source ?? String(node.value);
    }
    return undefined;
  }

  /** A required single value written as text. */
  text(entry: Entry, what: string): string | undefined {
    if (entry.value === null) {
      this.problem(entry.path, entry.keyLine, `${entry.path} needs a value: ${what}`);
      return undefined;
    }
    const text = this.scalarText(entry.value);
    if (text === undefined) this.problem(entry.path, entry.valueLine, `${entry.path} must be ${what}, not a ${kind(entry.value)}`);
    return text;
  }

  /** A command or a list of commands (build.commands.*, run.pre-run). */
  commands(entry: Entry): string[] | undefined {
    const { value, path } = entry;
    if (value === null) {
      this.problem(path, entry.keyLine, `${path} needs a command or a list of commands`);
      return undefined;
    }
    if (isSeq(value)) {
      const out: string[] = [];
      let ok = true;
      value.items.forEach((item, i) => {
        const node = this.resolve(item);
        const itemPath = `${path}[${i}]`;
        const line = this.lineOf(item, entry.valueLine);
        const text = this.scalarText(node);
        if (text !== undefined && text.trim() !== "") {
          out.push(text);
        } else if (node === null || text !== undefined) {
          this.problem(itemPath, line, `${itemPath} is empty; write a command or remove the line`);
          ok = false;
        } else if (isMap(node)) {
          this.problem(itemPath, line, `${itemPath} is a mapping, not a command: quote the command if it contains ": "`);
          ok = false;
        } else {
          this.problem(itemPath, line, `${itemPath} must be a command (a string), not a ${kind(node)}`);
          ok = false;
        }
      });
      return ok ? out : undefined;
    }
    const text = this.scalarText(value);
    if (text !== undefined && text.trim() !== "") return [text];
    if (isMap(value)) {
      this.problem(path, entry.valueLine, `${path} is a mapping, not a command: quote the command if it contains ": "`);
    } else {
      this.problem(path, entry.valueLine, `${path} must be a command or a list of commands`);
    }
    return undefined;
  }

  /** A list of `- name: NAME` / `value: VALUE` entries (build.env, run.env). */
  env(entry: Entry): Record<string, string> | undefined {
    return this.namedValues(entry, {
      valueKey: "value",
      shape: `a list of "- name: MY_VAR" / "value: ..." entries`,
      example: `- name: MY_VAR then value: "example"`,
      missingValue: `needs a value (use value: "" for an empty one)`,
      emptyValue: "",
      nameProblem: (name) => (ENV_NAME.test(name) ? undefined : `"${name}" is not a variable name (no spaces or "="), e.g. MY_VAR`),
    });
  }

  /**
   * run.secrets: a list of `- name: NAME` / `value-from: <reference>` entries, each checked as
   * RuntimeEnvironmentSecrets are (domain/runtime-secrets.ts); `plain` holds the names run.env and
   * run.network.env set, which a secret may not take.
   */
  secrets(entry: Entry, plain: ReadonlySet<string>): Record<string, string> | undefined {
    return this.namedValues(entry, {
      valueKey: "value-from",
      shape: `a list of "- name: MY_SECRET" / "value-from: <secret ARN, parameter ARN or parameter name>" entries`,
      example: "- name: DB_PASSWORD then value-from: arn:aws:secretsmanager:...",
      missingValue: "needs a value-from: the ARN of a secret or a parameter, or a parameter's name",
      nameProblem: (name) => {
        const problem = secretNameProblem(name, plain);
        return problem === undefined ? undefined : `: ${problem}`;
      },
      valueProblem: (name, from) => {
        const parsed = parseSecretSource(from);
        return parsed.ok ? undefined : `of ${name} ${parsed.problem}`;
      },
    });
  }

  /** A list of `- name: NAME` / `<valueKey>: VALUE` entries, each name once. */
  private namedValues(entry: Entry, spec: NamedValuesSpec): Record<string, string> | undefined {
    const { value, path } = entry;
    if (value === null) return {};
    if (!isSeq(value)) {
      const hint = isMap(value) ? ", not a mapping" : "";
      this.problem(path, entry.valueLine, `${path} must be ${spec.shape}${hint}`);
      return undefined;
    }
    const out: Record<string, string> = {};
    const seen = new Map<string, number>();
    let ok = true;
    value.items.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      const line = this.lineOf(item, entry.valueLine);
      const fields = this.mapping(this.resolve(item), itemPath, line, ["name", spec.valueKey], spec.example);
      if (!fields) return void (ok = false);
      const nameEntry = fields.get("name");
      const valueEntry = fields.get(spec.valueKey);
      if (!nameEntry) this.problem(`${itemPath}.name`, line, `${itemPath} needs a name`);
      if (!valueEntry) this.problem(`${itemPath}.${spec.valueKey}`, line, `${itemPath} ${spec.missingValue}`);
      if (!nameEntry || !valueEntry) return void (ok = false);
      const name = this.text(nameEntry, "a variable name such as MY_VAR");
      const val = valueEntry.value === null && spec.emptyValue !== undefined ? spec.emptyValue : this.text(valueEntry, "a string");
      if (name === undefined || val === undefined) return void (ok = false);
      const nameProblem = spec.nameProblem(name);
      if (nameProblem !== undefined) {
        this.problem(nameEntry.path, nameEntry.valueLine, `${nameEntry.path}${nameProblem.startsWith(":") ? "" : " "}${nameProblem}`);
        return void (ok = false);
      }
      const earlier = seen.get(name);
      if (earlier !== undefined) {
        this.problem(nameEntry.path, nameEntry.valueLine, `${path} sets ${name} twice (also on line ${earlier}); keep one`);
        return void (ok = false);
      }
      seen.set(name, nameEntry.valueLine);
      const valueProblem = spec.valueProblem?.(name, val);
      if (valueProblem !== undefined) {
        this.problem(valueEntry.path, valueEntry.valueLine, `${valueEntry.path} ${valueProblem}`);
        return void (ok = false);
      }
      out[name] = val;
    });
    return ok ? out : undefined;
  }
}

/** How one kind of `- name:` list reads (run.env's values, run.secrets' references). */
interface NamedValuesSpec {
  valueKey: string;
  shape: string;
  example: string;
  missingValue: string;
  /** What an empty value stands for; absent: an empty value is a problem. */
  emptyValue?: string;
  /** Why the name cannot be used (starting with ":" to follow the key directly). */
  nameProblem(name: string): string | undefined;
  valueProblem?(name: string, value: string): string | undefined;
}

function kind(node: unknown): string {
  if (isMap(node)) return "mapping";
  if (isSeq(node)) return "list";
  return "value of another kind";
}

/** The dotted key whose source range holds `offset`, for syntax errors; FILE_KEY when none does. */
function keyAt(node: unknown, offset: number, path: string): string {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || !key.range) continue;
      const end = isNode(pair.value) && pair.value.range ? pair.value.range[2] : key.range[2];
      if (offset >= key.range[0] && offset < end) {
        const name = key.source ?? String(key.value);
        const childPath = path === "" ? name : `${path}.${name}`;
        return keyAt(pair.value, offset, childPath);
      }
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      if (isNode(item) && item.range && offset >= item.range[0] && offset < item.range[2]) {
        return keyAt(item, offset, `${path}[${i}]`);
      }
    }
  }
  return path === "" ? FILE_KEY : path;
}

export const byLine = (a: ConfigProblem, b: ConfigProblem): number => (a.line ?? 0) - (b.line ?? 0);

export function parseApprunnerYaml(text: string): ApprunnerYamlResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new Reader(doc, lines);

  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      r.problem(keyAt(doc.contents, e.pos[0], ""), r.lineAt(e.pos[0]), `YAML syntax error: ${e.message}`);
    }
    return { problems: r.problems.sort(byLine), keyLines: r.keyLines };
  }

  const root = r.resolve(doc.contents);
  if (root === null) {
    r.problem(FILE_KEY, 1, "apprunner.yaml is empty; it needs version: 1.0, runtime, build and run");
    return { problems: r.problems, keyLines: r.keyLines };
  }
  const top = r.mapping(root, "", 1, TOP_KEYS, "version: 1.0");
  if (!top) return { problems: r.problems, keyLines: r.keyLines };
  const rootLine = r.lineOf(root, 1);

  r.version(top, rootLine);

  // runtime: required, a managed runtime built here.
  let runtime: ManagedRuntime | undefined;
  const supported = SUPPORTED_FILE_RUNTIMES.join(", ");
  const runtimeEntry = top.get("runtime");
  if (!runtimeEntry) {
    r.problem("runtime", rootLine, `runtime is required; supported: ${supported}`);
  } else {
    const name = r.text(runtimeEntry, `a runtime name (${supported})`);
    if (name !== undefined) {
      const found = lookupFileRuntime(name);
      if (found.kind === "managed") runtime = found.runtime;
      else if (found.kind === "not-yet") {
        r.problem("runtime", runtimeEntry.valueLine, `runtime ${name} is not supported by OpenRunner yet; supported: ${supported}`);
      } else {
        r.problem("runtime", runtimeEntry.valueLine, `runtime ${name} is not a known runtime; supported: ${supported}`);
      }
    }
  }

  // build: required, with commands.build.
  let preBuild: string[] | undefined = [];
  let build: string[] | undefined;
  let postBuild: string[] | undefined = [];
  let buildEnv: Record<string, string> | undefined = {};
  const buildEntry = top.get("build");
  if (!buildEntry) {
    r.problem("build", rootLine, "build is required: add build.commands.build with your build commands");
  } else if (buildEntry.value === null) {
    r.problem("build", buildEntry.keyLine, "build needs commands: add build.commands.build with your build commands");
  } else {
    const b = r.mapping(buildEntry.value, "build", buildEntry.valueLine, BUILD_KEYS, "commands:");
    if (b) {
      const commandsEntry = b.get("commands");
      if (!commandsEntry) {
        r.problem("build.commands", buildEntry.keyLine, "build.commands is required: add build.commands.build with your build commands");
      } else if (commandsEntry.value === null) {
        r.problem("build.commands", commandsEntry.keyLine, "build.commands needs a build list: add build.commands.build");
      } else {
        const c = r.mapping(commandsEntry.value, "build.commands", commandsEntry.valueLine, COMMANDS_KEYS, "build: [npm ci]");
        if (c) {
          const pre = c.get("pre-build");
          const main = c.get("build");
          const post = c.get("post-build");
          if (pre) preBuild = r.commands(pre);
          if (main) build = r.commands(main);
          else r.problem("build.commands.build", commandsEntry.keyLine, "build.commands.build is required: list the commands that build your application");
          if (post) postBuild = r.commands(post);
        }
      }
      const env = b.get("env");
      if (env) buildEnv = r.env(env);
    }
  }

  // run: required, with command.
  let runtimeVersion: string | undefined;
  let startCommand: string | undefined;
  let port: number | undefined = DEFAULT_PORT;
  let portEnv: string | undefined;
  let runEnv: Record<string, string> | undefined = {};
  let preRun: string[] | undefined = [];
  let runSecrets: Record<string, string> | undefined = {};
  const runEntry = top.get("run");
  if (!runEntry) {
    r.problem("run", rootLine, "run is required: add run.command with the command that starts your application");
  } else if (runEntry.value === null) {
    r.problem("run", runEntry.keyLine, "run needs a command: add run.command with the command that starts your application");
  } else {
    const run = r.mapping(runEntry.value, "run", runEntry.valueLine, RUN_KEYS, "command: node app.js");
    if (run) {
      const rv = run.get("runtime-version");
      if (rv) {
        const v = r.text(rv, "a version such as 18, 18.19 or 18.19.1");
        if (v !== undefined) {
          const message = checkRuntimeVersion(runtime, v);
          if (message) r.problem(rv.path, rv.valueLine, message);
          else runtimeVersion = v;
        }
      }

      const command = run.get("command");
      if (!command) {
        r.problem("run.command", runEntry.keyLine, "run.command is required: the command that starts your application, e.g. npm start");
      } else {
        startCommand = r.text(command, "the command that starts your application");
        if (startCommand !== undefined && startCommand.trim() === "") {
          r.problem("run.command", command.valueLine, "run.command is empty: write the command that starts your application");
          startCommand = undefined;
        }
      }

      const network = run.get("network");
      if (network && network.value !== null) {
        const n = r.mapping(network.value, "run.network", network.valueLine, NETWORK_KEYS, "port: 8000");
        if (n) {
          const p = n.get("port");
          if (p && p.value !== null) {
            const written = r.scalarText(p.value);
            const parsed = written !== undefined && /^\d{1,5}$/.test(written.trim()) ? Number(written.trim()) : NaN;
            if (parsed >= 1 && parsed <= 65535) port = parsed;
            else {
              const shown = written === undefined ? "" : `, not ${written}`;
              r.problem(p.path, p.valueLine, `run.network.port must be a port number from 1 to 65535 (default ${DEFAULT_PORT})${shown}`);
              port = undefined;
            }
          }
          const e = n.get("env");
          if (e && e.value !== null) {
            const name = r.text(e, "a variable name such as MY_APP_PORT");
            if (name !== undefined && !ENV_NAME.test(name)) {
              r.problem(e.path, e.valueLine, `run.network.env "${name}" is not a variable name (no spaces or "="), e.g. MY_APP_PORT`);
            } else if (name !== undefined) portEnv = name;
          }
        }
      }

      const env = run.get("env");
      if (env) runEnv = r.env(env);
      const pre = run.get("pre-run");
      if (pre) preRun = r.commands(pre);
      const secretsEntry = run.get("secrets");
      if (secretsEntry) {
        const plain = new Set([...Object.keys(runEnv ?? {}), ...(portEnv !== undefined ? [portEnv] : [])]);
        runSecrets = r.secrets(secretsEntry, plain);
      }
    }
  }

  const problems = r.problems.sort(byLine);
  if (
    problems.length > 0 ||
    runtime === undefined ||
    preBuild === undefined ||
    build === undefined ||
    postBuild === undefined ||
    buildEnv === undefined ||
    startCommand === undefined ||
    port === undefined ||
    runEnv === undefined ||
    preRun === undefined ||
    runSecrets === undefined
  ) {
    return { problems, keyLines: r.keyLines };
  }
  const plan: BuildPlan = {
    source: "apprunner.yaml",
    runtime,
    preBuild,
    build,
    postBuild,
    buildEnv,
    preRun,
    startCommand,
    port,
    runEnv,
  };
  if (runtimeVersion !== undefined) plan.runtimeVersion = runtimeVersion;
  if (portEnv !== undefined) plan.portEnv = portEnv;
  if (Object.keys(runSecrets).length > 0) plan.secrets = runSecrets;
  return { plan, problems, keyLines: r.keyLines };
}
