import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ensureDataDir, makeDataDirPrivate, narrowMode } from "./private-files.js";

const modeOf = (p: string): number => statSync(p).mode & 0o7777;

test("narrowMode takes away what the mode does not grant, never adds, never follows a link", () => {
  const dir = mkdtempSync(join(tmpdir(), "or-modes-"));
  try {
    const cases: [number, number, number][] = [
      [0o644, 0o600, 0o600],
      [0o600, 0o600, 0o600],
      [0o400, 0o600, 0o400],
      [0o755, 0o700, 0o700],
      [0o666, 0o600, 0o600],
    ];
    for (const [i, [before, allowed, after]] of cases.entries()) {
      const f = join(dir, `f${i}`);
      writeFileSync(f, "");
      chmodSync(f, before);
      narrowMode(f, allowed);
      assert.equal(modeOf(f), after, `${before.toString(8)} within ${allowed.toString(8)}`);
    }
    const target = join(dir, "target");
    writeFileSync(target, "");
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, "link"));
    narrowMode(join(dir, "link"), 0o600);
    assert.equal(modeOf(target), 0o644);
    narrowMode(join(dir, "absent"), 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a data directory of an older version (0755, files 0644) is made private at start; image trees keep their modes", () => {
  const root = mkdtempSync(join(tmpdir(), "or-datadir-"));
  try {
    const data = join(root, "data");
    const paths = {
      db: join(data, "openrunner.db"),
      wal: join(data, "openrunner.db-wal"),
      trail: join(data, "trail.db"),
      deployments: join(data, "runtime", "deployments"),
      record: join(data, "runtime", "deployments", "d1.json"),
      config: join(data, "runtime", "instances", "i1", "config.json"),
      output: join(data, "runtime", "instances", "i1", "output.log"),
      imageFile: join(data, "images", "unpacked", "x", "rootfs", "bin", "app"),
    };
    for (const f of [paths.record, paths.config, paths.imageFile]) mkdirSync(join(f, ".."), { recursive: true, mode: 0o755 });
    for (const f of [paths.db, paths.wal, paths.trail, paths.record, paths.config, paths.output]) writeFileSync(f, "", { mode: 0o644 });
    writeFileSync(paths.imageFile, "", { mode: 0o755 });
    chmodSync(data, 0o755);
    makeDataDirPrivate(data);
    assert.equal(modeOf(data), 0o700);
    for (const f of [paths.db, paths.wal, paths.trail, paths.record, paths.config, paths.output]) assert.equal(modeOf(f), 0o600, f);
    assert.equal(modeOf(paths.deployments), 0o700);
    assert.equal(modeOf(paths.imageFile), 0o755, "containers run image files as other users");

    const shared = join(root, "shared");
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o1777);
    assert.throws(() => ensureDataDir(shared), /shared directory \(sticky bit\)/);
    assert.equal(modeOf(shared), 0o1777);
    ensureDataDir(join(root, "fresh"));
    assert.equal(modeOf(join(root, "fresh")) & 0o077, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
