import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

// The layering check of `npm test` (.dependency-cruiser.cjs), held to what it promises: the
// tree passes, an upward import fails, the table has no cycle, and docs/architecture.md
// shows the same table.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

interface KnownViolation {
  name: string;
  comment: string;
  from: string;
  to: string[];
}
const config = createRequire(import.meta.url)(CONFIG) as { LAYERS: Record<string, string[]>; KNOWN_VIOLATIONS: KnownViolation[] };
const { LAYERS, KNOWN_VIOLATIONS } = config;

function depcruise(cwd: string, config = CONFIG): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, "--config", config, "--no-progress", "src"], { cwd, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const fixtures: string[] = [];
after(() => {
  for (const dir of fixtures) rmSync(dir, { recursive: true, force: true });
});

/** A tiny tree of TypeScript files (path -> source) with the repository's module settings. */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-layering-"));
  fixtures.push(dir);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("layering check (dependency-cruiser)", () => {
  it("passes on the repository's src/", () => {
    const r = depcruise(ROOT);
    assert.equal(r.status, 0, r.output);
  });

  it("fails on an import that goes up a layer, naming the rule", () => {
    const dir = fixture({
      "src/errors/app-runner-error.ts": "export class AppRunnerError extends Error {}\n",
      "src/api/apprunner-api.ts": 'export { AppRunnerError } from "../errors/app-runner-error.js";\nexport const appRunnerApi = {};\n',
      "src/telemetry/log-sink.ts": 'import { appRunnerApi } from "../api/apprunner-api.js";\nexport const sink = appRunnerApi;\n',
    });
    const r = depcruise(dir);
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /layer-telemetry: src\/telemetry\/log-sink\.ts → src\/api\/apprunner-api\.ts/);
    assert.doesNotMatch(r.output, /layer-api/);
  });

  it("fails on a type-only upward import too", () => {
    const dir = fixture({
      "src/protocol/context.ts": "export interface RequestContext { requestId: string }\n",
      "src/store/store.ts": 'import type { RequestContext } from "../protocol/context.js";\nexport type Ctx = RequestContext;\n',
    });
    const r = depcruise(dir);
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /layer-store: src\/store\/store\.ts → src\/protocol\/context\.ts/);
  });

  it("lets a known violation through only from its own file to its own target", () => {
    // None is left in the table; the mechanism is proven on a synthetic one, written into a
    // copy of the real configuration beside the fixture tree.
    const v: KnownViolation = { name: "synthetic", comment: "test only", from: "store/known.ts", to: ["protocol/context.ts"] };
    const target = `src/${v.to[0] ?? ""}`;
    const importer = (from: string, to = target): string =>
      `import { TARGET } from "${relative(dirname(from), to).replace(/\.ts$/, ".js").replace(/^(?!\.)/, "./")}";\nexport const seen = TARGET;\n`;
    const own = `src/${v.from}`;
    const withException = (dir: string): string => {
      const source = readFileSync(CONFIG, "utf8");
      const table = /const KNOWN_VIOLATIONS = \[[\s\S]*?\];/;
      assert.match(source, table);
      const copy = join(dir, ".dependency-cruiser.cjs");
      writeFileSync(copy, source.replace(table, `const KNOWN_VIOLATIONS = ${JSON.stringify([v])};`));
      return copy;
    };
    const files = { [target]: "export const TARGET = 1;\n", "src/domain/other.ts": "export const TARGET = 2;\n" };

    const known = fixture({ ...files, [own]: importer(own) });
    const passes = depcruise(known, withException(known));
    assert.equal(passes.status, 0, passes.output);
    // The same import fails without the exception: the fixture does go up a layer.
    assert.match(depcruise(known).output, new RegExp(`layer-store: ${own.replace(/[.]/g, "\\.")} → `));

    const other = "src/store/elsewhere-in-the-layer.ts";
    const elsewhere = fixture({ ...files, [other]: importer(other) });
    const fromElsewhere = depcruise(elsewhere, withException(elsewhere));
    assert.notEqual(fromElsewhere.status, 0, fromElsewhere.output);
    assert.match(fromElsewhere.output, new RegExp(`layer-store: ${other.replace(/[.]/g, "\\.")} → ${target.replace(/[.]/g, "\\.")}`));

    const beyond = fixture({ ...files, [own]: importer(own, "src/domain/other.ts") });
    const toElsewhere = depcruise(beyond, withException(beyond));
    assert.notEqual(toElsewhere.status, 0, toElsewhere.output);
    assert.match(toElsewhere.output, /layer-store-except-synthetic: src\/store\/known\.ts → src\/domain\/other\.ts/);
  });

  it("fails on a folder that has no row in the table", () => {
    const dir = fixture({
      "src/util/clock.ts": "export const now = (): number => 0;\n",
      "src/swarm/driver.ts": 'import { now } from "../util/clock.js";\nexport const t = now();\n',
    });
    const r = depcruise(dir);
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /not-in-a-layer: src\/swarm\/driver\.ts/);
  });

  it("lets a test use any folder as a fixture", () => {
    const dir = fixture({
      "src/api/apprunner-api.ts": "export const appRunnerApi = {};\n",
      "src/telemetry/audit/redact.test.ts": 'import { appRunnerApi } from "../../api/apprunner-api.js";\nexport const api = appRunnerApi;\n',
    });
    const r = depcruise(dir);
    assert.equal(r.status, 0, r.output);
  });
});

describe("layer table", () => {
  it("has a row for every top-level folder and file of src/, and names only rows", () => {
    const entries = readdirSync(join(ROOT, "src"), { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.name.endsWith(".ts"))
      .map((e) => e.name)
      .sort();
    assert.deepEqual(Object.keys(LAYERS).sort(), entries);
    for (const [name, allowed] of Object.entries(LAYERS)) {
      for (const dep of allowed) assert.ok(dep in LAYERS && dep !== name, `${name} may import ${dep}, which has no row`);
    }
  });

  it("has no cycle: every folder imports only folders listed before it can be ordered", () => {
    const order: string[] = [];
    const left = new Map(Object.entries(LAYERS));
    while (left.size > 0) {
      const ready = [...left].filter(([, deps]) => deps.every((d) => order.includes(d))).map(([name]) => name);
      assert.ok(ready.length > 0, `a cycle among: ${[...left.keys()].join(", ")}`);
      for (const name of ready) {
        order.push(name);
        left.delete(name);
      }
    }
  });

  it("names, for each known violation, places that exist and the item that removes it", () => {
    for (const v of KNOWN_VIOLATIONS) {
      assert.match(v.comment, /item \d/, v.name);
      for (const place of [v.from, ...v.to]) assert.ok(existsSync(join(ROOT, "src", place)), `${v.name}: src/${place}`);
    }
  });

  it("is the table of docs/architecture.md", () => {
    const doc = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
    const rows = new Map<string, string[]>();
    for (const line of doc.split("\n")) {
      const m = /^\| `src\/([^`]+?)\/?` \|[^|]*\| ([^|]*) \|$/.exec(line);
      if (!m?.[1] || m[2] === undefined) continue;
      const names = [...m[2].matchAll(/`([^`]+)`/g)].map((n) => (n[1] ?? "").replace(/\/$/, ""));
      rows.set(m[1], names.sort());
    }
    const expected = new Map(Object.entries(LAYERS).map(([name, deps]) => [name, [...deps].sort()]));
    assert.deepEqual(rows, expected);
  });
});
