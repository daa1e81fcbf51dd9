/**
 * scripts/test-files.sh, which npm test and npm run test:unit take their test list from: the
 * compiled test of every test source, never a compiled test whose source is gone.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../scripts/test-files.sh", import.meta.url));

describe("the test list", () => {
  const root = mkdtempSync(join(tmpdir(), "openrunner-test-files-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const touch = (path: string): void => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), "");
  };

  it("comes from the sources: a compiled test whose source was deleted is not run", () => {
    touch("src/a/kept.test.ts");
    touch("src/b.ts");
    touch("test/flow.e2e.test.ts");
    for (const js of ["src/a/kept.test.js", "src/a/deleted.test.js", "src/b.js", "test/flow.e2e.test.js", "test/gone.e2e.test.js"]) {
      touch(`dist/${js}`);
    }
    const list = (out: string, ...dirs: string[]): string[] =>
      execFileSync("bash", [SCRIPT, out, ...dirs], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
    assert.deepEqual(list("dist", "src", "test"), ["dist/src/a/kept.test.js", "dist/test/flow.e2e.test.js"]);
    assert.deepEqual(list("dist-unit", "src"), ["dist-unit/src/a/kept.test.js"]);
    // A folder or file of src/, as `npm run test:unit -- src/a` passes it.
    assert.deepEqual(list("dist-unit", "src/a/kept.test.ts"), ["dist-unit/src/a/kept.test.js"]);
  });

  it("splits into the unit tests run side by side, the side lane's end-to-end tests and the ones run one at a time, which together are the whole list", () => {
    const dir = mkdtempSync(join(root, "groups-"));
    const put = (path: string, source: string): void => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), source);
    };
    put("src/pure.test.ts", 'import { x } from "./x.js";\nimport { fakes } from "../test/support/iam-fakes.js";\n');
    put("src/spawns.test.ts", 'import { execFile } from "node:child_process";\n');
    put("src/root.test.ts", "const skip = process.getuid?.() !== 0;\n");
    put("src/tools.test.ts", 'import { missingHostTools } from "./setup.js";\n');
    put("src/fixture.test.ts", 'import { startRegistry } from "../test/support/registry.js";\n');
    put("test/flow.e2e.test.ts", "");
    put("test/pure-looking.test.ts", "");
    put("test/iam.e2e.test.ts", "");
    put("test/iam-terraform.e2e.test.ts", "");
    const list = (...args: string[]): string[] =>
      execFileSync("bash", [SCRIPT, ...args], { cwd: dir, encoding: "utf8" }).split("\n").filter(Boolean);
    assert.deepEqual(list("--pure", "dist", "src", "test"), ["dist/src/pure.test.js"]);
    const host = ["dist/src/fixture.test.js", "dist/src/root.test.js", "dist/src/spawns.test.js", "dist/src/tools.test.js", "dist/test/flow.e2e.test.js", "dist/test/pure-looking.test.js"];
    assert.deepEqual(list("--host", "dist", "src", "test"), host);
    assert.deepEqual(list("--side", "dist", "src", "test"), ["dist/test/iam-terraform.e2e.test.js", "dist/test/iam.e2e.test.js"]);
    const lanes = ["--pure", "--side", "--host"].flatMap((g) => list(g, "dist", "src", "test"));
    assert.deepEqual([...lanes].sort(), list("dist", "src", "test").sort());
    assert.equal(new Set(lanes).size, lanes.length, "no test in two lanes");
  });
});
