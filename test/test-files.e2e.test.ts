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
});
