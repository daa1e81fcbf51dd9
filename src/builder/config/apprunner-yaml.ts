/**
 * apprunner.yaml -> BuildPlan, as the guide's "App Runner configuration file reference" defines
 * it (version 1.0; runtime; build.commands pre-build / build / post-build; build.env;
 * run.runtime-version; run.command; run.network.port and env; run.env), plus the later keys
 * users rely on (run.pre-run; run.secrets: `- name: X` / `value-from: <secret or parameter>`,
 * references that travel with the built image and are resolved at each deployment).
 *
 * Pure: text in, plan and problems out. Every problem names its dotted key and its 1-based line.
 * YAML itself is parsed by the `yaml` package, which keeps every node's source offsets.
 * Reading its nodes with located problems is apprunner-yaml-reader.ts's (`Reader`).
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { BuildPlan, ConfigProblem, ManagedRuntime } from "../types.js";
import { fileRuntimeName, lookupFileRuntime, MANAGED_RUNTIMES } from "./runtimes.js";
import { checkRuntimeVersion } from "./runtime-version.js";
import { ENV_NAME, FILE_KEY, Reader } from "./apprunner-yaml-reader.js";

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

const TOP_KEYS = ["version", "runtime", "build", "run"] as const;
const BUILD_KEYS = ["commands", "env"] as const;
const COMMANDS_KEYS = ["pre-build", "build", "post-build"] as const;
const RUN_KEYS = ["runtime-version", "command", "network", "env", "pre-run", "secrets"] as const;
const NETWORK_KEYS = ["port", "env"] as const;

export const SUPPORTED_FILE_RUNTIMES: readonly string[] = MANAGED_RUNTIMES.map(fileRuntimeName);

export const DEFAULT_PORT = 8080;

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
