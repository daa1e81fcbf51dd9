/**
 * Reading a parsed apprunner.yaml node by node (`Reader`): mappings with their allowed keys,
 * text, lists, the `- name:` lists of run.env and run.secrets, every problem with its dotted key
 * and its 1-based line. The file's schema and its build plan are apprunner-yaml.ts's.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter } from "yaml";
import type { ConfigProblem } from "../types.js";
import { parseSecretSource, secretNameProblem } from "../../domain/runtime-secrets.js";

/** The key of problems about the file as a whole (empty, not a mapping). */
export const FILE_KEY = "(file)";

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
