import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { makeRepo, startGitHttpServer, type GitHttpServer, type TestRepo } from "../../../test/support/git-server.js";
import { branchRef, GitSources, sourceSubdirectory } from "./repository.js";

const TOKEN = "ghp_TestToken0123456789abcdefSECRET";

async function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<AppRunnerError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AppRunnerError, `expected an AppRunnerError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

/** Every file under dir whose content contains needle (the token must be on disk nowhere). */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && readFileSync(p).includes(needle)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe("GitSources", () => {
  let tmp: string;
  let root: string;
  let app: TestRepo;
  let mono: TestRepo;
  let publicServer: GitHttpServer;
  let privateServer: GitHttpServer;
  let sources: GitSources;
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "openrunner-gitsources-"));
    root = join(tmp, "repos");
    app = makeRepo({ "app.py": "print('hello')\n", "requirements.txt": "" }, { dir: join(root, "app") });
    mono = makeRepo(
      { "services/api/app.py": "print('api')\n", "services/api/run.sh": "#!/bin/sh\necho run\n", "README.md": "monorepo\n" },
      { dir: join(root, "mono"), branch: "trunk" },
    );
    chmodSync(join(mono.dir, "services/api/run.sh"), 0o755);
    mono.commit({}, "Make run.sh executable");
    publicServer = await startGitHttpServer({ root });
    privateServer = await startGitHttpServer({ root, token: TOKEN });
    sources = new GitSources({ dir: join(tmp, "data", "sources"), logger: (message, fields) => void logged.push({ message, fields }), fetchTimeoutMs: 30_000 });
  });
  after(async () => {
    await publicServer.stop();
    await privateServer.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("resolves a branch without cloning, over file://, a local path and smart HTTP", async () => {
    const head = app.head();
    assert.equal(await sources.resolve(`file://${app.dir}`, "main"), head);
    assert.equal(await sources.resolve(app.dir, "main"), head);
    assert.equal(await sources.resolve(publicServer.url("app"), "main"), head);
    assert.equal(await sources.resolve(`${publicServer.url("app")}/`, "refs/heads/main"), head);
    assert.equal(existsSync(join(tmp, "data", "sources")), false, "nothing is cloned to resolve");
  });

  it("names a missing branch and a missing repository", async () => {
    await rejectsWith(sources.resolve(publicServer.url("app"), "nope"), "SourceNotFound", /Branch 'nope' was not found in http:\/\/127\.0\.0\.1:\d+\/app/);
    await rejectsWith(sources.resolve(app.dir, "nope"), "SourceNotFound", /Branch 'nope' was not found/);
    await rejectsWith(sources.resolve(publicServer.url("missing"), "main"), "SourceNotFound", /Repository http:\/\/127\.0\.0\.1:\d+\/missing was not found/);
    await rejectsWith(sources.resolve(join(tmp, "nothing-here"), "main"), "SourceNotFound", /Repository .*nothing-here was not found/);
    await rejectsWith(
      sources.checkout({ serviceId: "svc-missing", url: join(tmp, "nothing-here"), branch: "main", log: () => undefined }),
      "SourceNotFound",
      /Repository .*nothing-here was not found\.$/,
    );
    await rejectsWith(
      sources.checkout({ serviceId: "svc-missing", url: publicServer.url("missing"), branch: "main", log: () => undefined }),
      "SourceNotFound",
      /Repository http:\/\/127\.0\.0\.1:\d+\/missing was not found/,
    );
    await rejectsWith(
      sources.checkout({ serviceId: "svc-missing", url: publicServer.url("app"), branch: "nope", log: () => undefined }),
      "SourceNotFound",
      /Branch 'nope' was not found in http:\/\/127\.0\.0\.1:\d+\/app/,
    );
  });

  it("refuses what is not a repository URL or a branch name", async () => {
    await rejectsWith(sources.resolve("git@github.com:owner/repo.git", "main"), "InvalidRequest", /SSH repository URLs are not supported/);
    await rejectsWith(sources.resolve("ssh://git@github.com/owner/repo.git", "main"), "InvalidRequest", /ssh:\/\/ repository URLs are not supported/);
    await rejectsWith(sources.resolve("--upload-pack=touch /tmp/x", "main"), "InvalidRequest", /not valid/);
    await rejectsWith(sources.resolve(app.dir, "--output=/tmp/x"), "InvalidRequest", /Not a valid branch name/);
    await rejectsWith(sources.resolve(app.dir, "a..b"), "InvalidRequest", /Not a valid branch name/);
  });

  it("reaches a closed port with a clear network error", async () => {
    await rejectsWith(sources.resolve("http://127.0.0.1:1/app", "main"), "SourceFetchFailed", /Could not reach http:\/\/127\.0\.0\.1:1\/app.*(connect|refused)/i);
  });

  it("checks out a commit over smart HTTP, then fetches only what is new", async () => {
    const lines: string[] = [];
    const first = await sources.checkout({ serviceId: "svc-http", url: publicServer.url("app"), branch: "main", log: (l) => lines.push(l) });
    assert.equal(first.commit, app.head());
    assert.equal(first.ref, "main");
    assert.equal(first.subject, "Initial commit");
    assert.equal(readFileSync(join(first.dir, "app.py"), "utf8"), "print('hello')\n");
    assert.equal(existsSync(join(first.dir, ".git")), false, "a build gets files, not a repository");
    assert.match(lines[0] ?? "", /^Cloning http:\/\/127\.0\.0\.1:\d+\/app \(branch main\)$/);
    assert.equal(lines[1], `Fetched main at ${first.commit.slice(0, 7)}: Initial commit`);

    const second = app.commit({ "app.py": "print('hello, again')\n" }, "Add health check\n\nWith a longer body.");
    const fetchesBefore = publicServer.requests.length;
    lines.length = 0;
    const next = await sources.checkout({ serviceId: "svc-http", url: publicServer.url("app"), branch: "main", log: (l) => lines.push(l) });
    assert.equal(next.commit, second);
    assert.equal(next.subject, "Add health check");
    assert.notEqual(next.dir, first.dir, "each deployment gets a fresh work directory");
    assert.equal(readFileSync(join(next.dir, "app.py"), "utf8"), "print('hello, again')\n");
    assert.match(lines[0] ?? "", /^Fetching http:\/\/127\.0\.0\.1:\d+\/app \(branch main\)$/);
    assert.equal(lines[1], `Fetched main at ${second.slice(0, 7)}: Add health check`);
    assert.ok(publicServer.requests.length - fetchesBefore <= 3, "an incremental fetch is one negotiation");

    // A third checkout prunes the oldest work directory (the previous one is kept).
    const third = await sources.checkout({ serviceId: "svc-http", url: publicServer.url("app"), branch: "main", log: () => undefined });
    assert.equal(existsSync(first.dir), false);
    assert.equal(existsSync(next.dir), true);
    assert.equal(existsSync(third.dir), true);
  });

  it("checks out over file:// and a local path, and a pinned commit", async () => {
    const before = app.head();
    const viaFile = await sources.checkout({ serviceId: "svc-file", url: `file://${app.dir}`, branch: "main", log: () => undefined });
    assert.equal(viaFile.commit, before);
    const viaPath = await sources.checkout({ serviceId: "svc-path", url: app.dir, branch: "main", log: () => undefined });
    assert.equal(viaPath.commit, before);
    const newer = app.commit({ "new.txt": "x" }, "Newer");
    const pinned = await sources.checkout({ serviceId: "svc-path", url: app.dir, branch: "main", commit: before, log: () => undefined });
    assert.equal(pinned.commit, before);
    assert.equal(existsSync(join(pinned.dir, "new.txt")), false);
    const latest = await sources.checkout({ serviceId: "svc-path", url: app.dir, branch: "main", log: () => undefined });
    assert.equal(latest.commit, newer);
    await rejectsWith(
      sources.checkout({ serviceId: "svc-path", url: app.dir, branch: "main", commit: "0".repeat(40), log: () => undefined }),
      "SourceNotFound",
      /Commit 0000000 is not on branch 'main'/,
    );
  });

  it("builds the SourceDirectory of a monorepo, keeping modes, and names a missing one", async () => {
    const co = await sources.checkout({ serviceId: "svc-mono", url: publicServer.url("mono"), branch: "trunk", sourceDirectory: "/services/api/", log: () => undefined });
    assert.ok(co.dir.endsWith(join("services", "api")));
    assert.equal(readFileSync(join(co.dir, "app.py"), "utf8"), "print('api')\n");
    assert.ok((statSync(join(co.dir, "run.sh")).mode & 0o111) !== 0, "the executable bit is kept");
    assert.equal(readFileSync(join(co.dir, "..", "..", "README.md"), "utf8"), "monorepo\n", "the rest of the repository is there too");
    await rejectsWith(
      sources.checkout({ serviceId: "svc-mono", url: publicServer.url("mono"), branch: "trunk", sourceDirectory: "services/web", log: () => undefined }),
      "SourceNotFound",
      /Source directory 'services\/web' does not exist in commit [0-9a-f]{7} of http:\/\/127\.0\.0\.1:\d+\/mono \(branch trunk\)/,
    );
    await rejectsWith(
      sources.checkout({ serviceId: "svc-mono", url: publicServer.url("mono"), branch: "trunk", sourceDirectory: "README.md", log: () => undefined }),
      "SourceNotFound",
      /is a file, not a directory/,
    );
    await rejectsWith(
      sources.checkout({ serviceId: "svc-mono", url: publicServer.url("mono"), branch: "trunk", sourceDirectory: "../..", log: () => undefined }),
      "InvalidRequest",
      /inside the repository/,
    );
  });

  it("keeps symlinks as symlinks", async () => {
    const repo = makeRepo({ "target.txt": "t" }, { dir: join(root, "links") });
    symlinkSync("target.txt", join(repo.dir, "link.txt"));
    repo.commit({}, "Add a link");
    const co = await sources.checkout({ serviceId: "svc-links", url: repo.dir, branch: "main", log: () => undefined });
    assert.ok(lstatSync(join(co.dir, "link.txt")).isSymbolicLink());
    assert.equal(readlinkSync(join(co.dir, "link.txt")), "target.txt");
  });

  it("reads a private repository with the right token only, and never shows or stores it", async () => {
    // A `git` on PATH that records its arguments: the token must be in none.
    const bin = join(tmp, "bin");
    const argvLog = join(tmp, "argv.log");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "git"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec /usr/bin/git "$@"\n`, { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ""}`;
    try {
      const url = privateServer.url("app");
      assert.equal(await sources.resolve(url, "main", { token: TOKEN }), app.head());
      const lines: string[] = [];
      const co = await sources.checkout({ serviceId: "svc-private", url, branch: "main", auth: { token: TOKEN }, log: (l) => lines.push(l) });
      assert.equal(co.commit, app.head());

      const denied = await rejectsWith(sources.resolve(url, "main", { token: "wrong-token-123" }), "SourceAccessDenied", /refused the credentials/);
      assert.ok(!denied.message.includes("wrong-token-123"));
      const anonymous = await rejectsWith(sources.resolve(url, "main"), "SourceAccessDenied", /asks for credentials.*connection/);
      assert.ok(!anonymous.message.includes(TOKEN));
      const deniedFetch = await rejectsWith(
        sources.checkout({ serviceId: "svc-private", url, branch: "main", auth: { token: "wrong-token-456" }, log: (l) => lines.push(l) }),
        "SourceAccessDenied",
        /refused the credentials/,
      );
      assert.ok(!deniedFetch.message.includes("wrong-token-456"));
      await rejectsWith(sources.resolve(url, "nope", { token: TOKEN }), "SourceNotFound", /Branch 'nope' was not found/);

      // Credentials written into the URL are moved to the header, and never echoed either.
      const inUrl = url.replace("http://", `http://x-access-token:${TOKEN}@`);
      assert.equal(await sources.resolve(inUrl, "main"), app.head());
      const badInUrl = await rejectsWith(sources.resolve(url.replace("http://", "http://me:badpassword@"), "main"), "SourceAccessDenied", /refused/);
      assert.ok(!badInUrl.message.includes("badpassword"));

      const b64 = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
      const argv = readFileSync(argvLog, "utf8");
      assert.ok(argv.includes("ls-remote") && argv.includes("fetch"), "the wrapper saw the git commands");
      for (const secret of [TOKEN, b64, "badpassword"]) {
        assert.ok(!argv.includes(secret), "no secret in any git argv");
        assert.ok(!lines.some((l) => l.includes(secret)), "no secret in the deployment log");
        assert.ok(!JSON.stringify(logged).includes(secret), "no secret in the operator log");
        assert.deepEqual(filesContaining(join(tmp, "data"), secret), [], "no secret on disk");
      }
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it("does not send the token to another host a redirect points at", async () => {
    const seen: (string | undefined)[] = [];
    const recorder = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { "www-authenticate": "Basic" }).end();
    });
    await new Promise<void>((r) => recorder.listen(0, "127.0.0.1", r));
    const recorderPort = (recorder.address() as AddressInfo).port;
    const redirector = createServer((req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${recorderPort}${req.url ?? "/"}` }).end();
    });
    await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/app`;
      await rejectsWith(sources.resolve(url, "main", { token: TOKEN }), "SourceAccessDenied", /127\.0\.0\.1/);
      assert.ok(seen.length > 0, "the redirect was followed");
      assert.deepEqual(seen.filter((h) => h !== undefined), []);
    } finally {
      await new Promise<void>((r) => recorder.close(() => r()));
      await new Promise<void>((r) => redirector.close(() => r()));
    }
  });

  it("clones again when the repository URL changes, and cleanup removes everything of the service", async () => {
    await sources.checkout({ serviceId: "svc-move", url: app.dir, branch: "main", log: () => undefined });
    const lines: string[] = [];
    const moved = await sources.checkout({ serviceId: "svc-move", url: publicServer.url("mono"), branch: "trunk", log: (l) => lines.push(l) });
    assert.equal(moved.commit, mono.head());
    assert.match(lines.join("\n"), /URL changed: cloning it again\nCloning http/);
    await sources.cleanup("svc-move");
    assert.equal(existsSync(join(tmp, "data", "sources", "svc-move")), false);
    await assert.rejects(sources.cleanup("../etc"), /Not a service id/);
  });

  it("serializes checkouts of one service", async () => {
    const results = await Promise.all([1, 2, 3].map(() => sources.checkout({ serviceId: "svc-race", url: publicServer.url("app"), branch: "main", log: () => undefined })));
    assert.equal(new Set(results.map((r) => r.commit)).size, 1);
    assert.equal(new Set(results.map((r) => r.dir)).size, 3);
  });

  it("stops a fetch that is cancelled", async () => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(
      sources.checkout({ serviceId: "svc-cancel", url: publicServer.url("app"), branch: "main", log: () => undefined, signal: ac.signal }),
      "SourceFetchFailed",
      /cancelled/,
    );
  });
});

describe("branchRef and sourceSubdirectory (pure)", () => {
  it("accepts branch names git accepts and refuses the rest", () => {
    const table: [string, string | undefined][] = [
      ["main", "refs/heads/main"],
      ["feature/x-1", "refs/heads/feature/x-1"],
      ["refs/heads/release", "refs/heads/release"],
      ["", undefined],
      ["-x", undefined],
      ["a b", undefined],
      ["a..b", undefined],
      ["a.lock", undefined],
      ["x/.hidden", undefined],
      ["a:b", undefined],
      ["a~1", undefined],
      ["@", undefined],
      ["a@{1}", undefined],
      ["trailing/", undefined],
    ];
    for (const [name, ref] of table) {
      if (ref === undefined) assert.throws(() => branchRef(name), /Not a valid branch name/, name);
      else assert.equal(branchRef(name), ref);
    }
  });

  it("keeps SourceDirectory inside the repository", () => {
    assert.equal(sourceSubdirectory(undefined), "");
    assert.equal(sourceSubdirectory("/"), "");
    assert.equal(sourceSubdirectory("./services//api/"), "services/api");
    assert.throws(() => sourceSubdirectory("services/../../x"), /inside the repository/);
  });
});
