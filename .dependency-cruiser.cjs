/* global module */
// The layering of src/, checked by `npm test` (scripts/test.sh) with dependency-cruiser:
// `npx depcruise src` (this file is its default config). docs/architecture.md has the same
// table in words; change both together.
//
// Each top-level folder of src/ (and the two files at its root) names what it may import.
// Read bottom to top: a folder may import only folders listed for it, and no list refers to a
// folder above it, so there is no cycle between folders (test/layering.test.ts checks that
// too, and that an upward import fails). Tests (*.test.ts) may use any folder as a fixture.

/** @type {Record<string, string[]>} */
const LAYERS = {
  errors: [],
  util: ["errors"],
  model: ["errors", "util"],
  iam: ["errors", "util"],
  images: ["errors", "util"],
  registry: ["errors", "util"],
  executor: ["errors", "util"],
  store: ["iam", "errors", "util"],
  keys: ["store", "iam", "errors", "util"],
  protocol: ["store", "model", "iam", "errors", "util"],
  domain: ["protocol", "keys", "store", "model", "iam", "errors", "util"],
  "modules.ts": ["domain", "protocol", "keys", "store", "iam", "errors", "util"],
  telemetry: ["modules.ts", "domain", "protocol", "store", "model", "iam", "errors", "util"],
  router: ["telemetry", "errors", "util"],
  acme: ["errors", "util"],
  dns: ["errors", "util"],
  "custom-domains": ["acme", "dns", "router", "telemetry", "domain", "store", "errors", "util"],
  autoscaler: ["router", "errors", "util"],
  sources: ["modules.ts", "domain", "protocol", "store", "images", "iam", "errors", "util"],
  builder: ["executor", "sources", "domain", "protocol", "images", "errors", "util"],
  runtime: ["executor", "autoscaler", "router", "telemetry", "domain", "protocol", "store", "images", "errors", "util"],
  engine: ["runtime", "builder", "telemetry", "domain", "protocol", "keys", "store", "images", "iam", "errors", "util"],
  api: ["domain", "protocol", "keys", "store", "model", "iam", "errors", "util"],
  sts: ["modules.ts", "protocol", "iam", "errors", "util"],
  "iam-api": ["modules.ts", "protocol", "store", "model", "iam", "errors", "util"],
  ecr: ["modules.ts", "domain", "protocol", "store", "model", "registry", "iam", "errors", "util"],
  kms: ["modules.ts", "protocol", "keys", "store", "model", "iam", "errors", "util"],
  "secrets-manager": ["modules.ts", "domain", "protocol", "keys", "store", "model", "iam", "errors", "util"],
  ssm: ["modules.ts", "domain", "protocol", "keys", "store", "model", "iam", "errors", "util"],
  console: ["modules.ts", "errors", "util"],
  "local-runtime.ts": ["autoscaler", "builder", "sources", "runtime", "router", "telemetry", "modules.ts", "domain", "store", "executor", "images", "registry", "errors", "util"],
  "server.ts": [
    "custom-domains", "acme", "dns", "local-runtime.ts", "console", "ssm", "secrets-manager", "kms", "ecr", "sts", "iam-api", "api", "engine", "runtime", "builder", "sources",
    "autoscaler", "router", "telemetry", "modules.ts", "domain", "protocol", "keys", "store", "executor", "images", "registry", "iam", "model",
    "errors", "util",
  ],
  cli: [
    "custom-domains", "acme", "dns", "server.ts", "local-runtime.ts", "console", "ssm", "secrets-manager", "kms", "ecr", "sts", "iam-api", "api", "engine", "runtime", "builder",
    "sources", "autoscaler", "router", "telemetry", "modules.ts", "domain", "protocol", "keys", "store", "executor", "images", "registry", "iam",
    "model", "errors", "util",
  ],
};

/**
 * Imports that went up, each named with the item of issue 14 that removed it; none is left.
 * Nothing may be added here: a new upward import is a design question, not an exception.
 * `from` is a file (or a folder ending in /) under src/, `to` the files or folders it may
 * reach beyond its layer (test/layering.test.ts proves the mechanism on a synthetic entry).
 */
const KNOWN_VIOLATIONS = [];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A folder (`name/`) or a root file (`name.ts`) of src/, as a path regex. */
const area = (name) => (name.endsWith(".ts") ? `^src/${escape(name)}$` : `^src/${escape(name)}/`);
const place = (p) => (p.endsWith("/") ? `^src/${escape(p)}` : `^src/${escape(p)}$`);
const areaOf = (p) => Object.keys(LAYERS).find((name) => new RegExp(area(name)).test(`src/${p}`));
const TESTS = "\\.test\\.tsx?$";

/** Whether the place `outer` (a file, or a folder ending in /) holds `inner`. */
const holds = (outer, inner) => outer === inner || (outer.endsWith("/") && inner.startsWith(outer));

function layerRules() {
  return Object.entries(LAYERS).flatMap(([name, allowed]) => {
    const own = [name, ...allowed].map(area);
    const exceptions = KNOWN_VIOLATIONS.filter((v) => areaOf(v.from) === name);
    return [
      {
        name: `layer-${name}`,
        comment: `src/${name} may import only: ${allowed.join(", ") || "nothing else in src/"} (docs/architecture.md).`,
        severity: "error",
        from: { path: area(name), pathNot: [TESTS, ...exceptions.map((v) => place(v.from))] },
        to: { path: "^src/", pathNot: own },
      },
      // A file under several exceptions answers to the most specific one, which also allows
      // what the broader ones do.
      ...exceptions.map((v) => {
        const nested = exceptions.filter((u) => u !== v && holds(v.from, u.from) && u.from !== v.from);
        const broader = exceptions.filter((u) => holds(u.from, v.from));
        return {
          name: `layer-${name}-except-${v.name}`,
          comment: `src/${name} may import only: ${allowed.join(", ")}; known violation: ${v.comment}`,
          severity: "error",
          from: { path: place(v.from), pathNot: [TESTS, ...nested.map((u) => place(u.from))] },
          to: { path: "^src/", pathNot: [...own, ...broader.flatMap((u) => u.to.map(place))] },
        };
      }),
    ];
  });
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "not-in-a-layer",
      comment: "Every top-level folder and root file of src/ has a row in LAYERS (and in docs/architecture.md).",
      severity: "error",
      from: { path: "^src/", pathNot: Object.keys(LAYERS).map(area) },
      to: {},
    },
    ...layerRules(),
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing cannot be checked.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
// For test/layering.test.ts, which checks the table itself; depcruise ignores them.
Object.defineProperties(module.exports, {
  LAYERS: { value: LAYERS, enumerable: false },
  KNOWN_VIOLATIONS: { value: KNOWN_VIOLATIONS, enumerable: false },
});
