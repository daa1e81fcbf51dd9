import { firstPhaseOf } from "../../engine/reconcilers/index.js";
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ServiceRow } from "../../domain/service-record.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { CONFIG, EngineFixture } from "../../../test/support/engine-fixture.js";
import { makeRepo, removeRepo } from "../../../test/support/git-server.js";
import { ManualTimers } from "../../util/manual-timers.js";
import { CODE_COMMIT_TRIGGER, CodeWatcher } from "./code-watcher.js";
import type { GitAuth } from "./git-command.js";
import { GitSources } from "./repository.js";

const OLD = "a".repeat(40);
const NEW = "b".repeat(40);
const NEWER = "c".repeat(40);
const REPO = "https://github.com/Owner/App.git";
const CONNECTION = "arn:aws:apprunner:us-east-1:123456789012:connection/gh/0123";

describe("CodeWatcher: automatic deployment of source-code services", () => {
  let fx: EngineFixture;
  let heads: Map<string, string>;
  let resolveCalls: { url: string; branch: string; auth?: GitAuth }[];
  let resolveFails: boolean;
  let now: number;
  let logged: string[];

  const watcher = (opts: { pollMs?: number; resolve?: (url: string, branch: string) => Promise<string>; timers?: ManualTimers } = {}): CodeWatcher =>
    new CodeWatcher({
      deps: { store: fx.store, clock: fx.clock, random: fx.random, config: CONFIG, engine: { notify: () => undefined, firstPhaseOf } },
      resolve:
        opts.resolve ??
        (async (url, branch, auth) => {
          resolveCalls.push({ url, branch, ...(auth ? { auth } : {}) });
          if (resolveFails) throw new AppRunnerError("SourceFetchFailed", `Could not reach ${url}`);
          const head = heads.get(`${url}#${branch}`);
          if (!head) throw new AppRunnerError("SourceNotFound", `Branch '${branch}' was not found in ${url}.`);
          return head;
        }),
      dataDir: fx.dir,
      pollMs: opts.pollMs ?? 0,
      logger: (m) => void logged.push(m),
      connectionToken: (arn) => {
        if (arn !== CONNECTION) throw new AppRunnerError("InvalidRequest", `Connection ${arn} is not AVAILABLE (status PENDING_HANDSHAKE): complete its handshake first`);
        return "tok";
      },
      now: () => now,
      retryMs: 60_000,
      ...(opts.timers ? { timers: opts.timers } : {}),
    });

  const codeService = (
    opts: { auto?: boolean; status?: "RUNNING" | "PAUSED" | "OPERATION_IN_PROGRESS"; url?: string; branch?: string; connection?: string; commit?: string | null } = {},
  ): ServiceRow => {
    const s = fx.service(opts.status ?? "RUNNING", "d0");
    s.internal = { currentDeploymentId: "d0", currentCommit: opts.commit === undefined ? OLD : opts.commit };
    s.doc = {
      ...s.doc,
      SourceConfiguration: {
        AutoDeploymentsEnabled: opts.auto ?? true,
        CodeRepository: {
          RepositoryUrl: opts.url ?? REPO,
          SourceCodeVersion: { Type: "BRANCH", Value: opts.branch ?? "main" },
          CodeConfiguration: { ConfigurationSource: "REPOSITORY" },
        },
        ...(opts.connection ? { AuthenticationConfiguration: { ConnectionArn: opts.connection } } : {}),
      },
    };
    fx.store.resources.update(s);
    return s;
  };
  const open = (s: ServiceRow) => fx.store.operations.openForService(s.arn);
  /** The deployment ends (failed or not) and the service is RUNNING again. */
  const finish = (s: ServiceRow, status: "SUCCEEDED" | "ROLLBACK_SUCCEEDED", commit?: string): void => {
    for (const op of open(s)) fx.store.operations.update({ ...op, status, state: { ...op.state, phase: "done" } });
    const row = fx.current(s);
    fx.store.resources.update({ ...row, status: "RUNNING", internal: { ...row.internal, ...(commit ? { currentCommit: commit } : {}) } });
  };

  beforeEach(() => {
    fx = new EngineFixture();
    heads = new Map([[`${REPO}#main`, NEW]]);
    resolveCalls = [];
    resolveFails = false;
    now = 1_000_000;
    logged = [];
  });
  afterEach(async () => fx.close());

  it("starts one CODE_COMMIT deployment for a new commit, none for the deployed one, a paused service, auto deployment off or an image service", async () => {
    const auto = codeService();
    const current = codeService({ commit: NEW });
    const manual = codeService({ auto: false });
    const paused = codeService({ status: "PAUSED" });
    const neverDeployed = codeService({ commit: null });
    const image = fx.service("RUNNING", "d0"); // The fixture's image service: not this watcher's.
    const w = watcher();
    await w.checkAll();
    await w.checkAll();
    const ops = open(auto);
    assert.equal(ops.length, 1);
    assert.equal(ops[0]?.type, "START_DEPLOYMENT");
    assert.equal(ops[0]?.state.trigger, CODE_COMMIT_TRIGGER);
    assert.equal(fx.current(auto).status, "OPERATION_IN_PROGRESS");
    for (const s of [current, manual, paused, neverDeployed, image]) assert.equal(open(s).length, 0, s.name);
    assert.ok(resolveCalls.every((c) => c.url === REPO && c.branch === "main"));
    assert.equal(resolveCalls.length, 3, "auto (once: busy the second time) and current twice; paused and undeployed are not asked");
  });

  it("does not retry a commit whose deployment failed until the branch moves on", async () => {
    const s = codeService();
    const w = watcher();
    await w.checkAll();
    assert.equal(open(s).length, 1);
    finish(s, "ROLLBACK_SUCCEEDED");
    await w.checkAll();
    assert.equal(open(s).length, 0, "the failed commit is not deployed again");
    heads.set(`${REPO}#main`, NEWER);
    await w.checkAll();
    assert.equal(open(s).length, 1);
    finish(s, "SUCCEEDED", NEWER);
    await w.checkAll();
    assert.equal(open(s).length, 0);
  });

  it("a push checks only the services on that repository (however written) and branch", async () => {
    const s = codeService();
    const otherBranch = codeService({ branch: "dev" });
    const otherRepo = codeService({ url: "https://github.com/owner/other" });
    const w = watcher();
    assert.equal(await w.onPush({ urls: ["https://github.com/owner/nope.git"], branch: "main", commit: NEW }), 0);
    assert.equal(await w.onPush({ urls: ["https://github.com/Owner/App.git"], branch: "release", commit: NEW }), 0);
    assert.equal(open(s).length, 0);
    assert.equal(await w.onPush({ urls: ["https://github.com/Owner/App", "git@github.com:Owner/App.git"], branch: "main", commit: NEW }), 1);
    assert.equal(open(s).length, 1);
    assert.equal(open(otherBranch).length, 0);
    assert.equal(open(otherRepo).length, 0);
  });

  it("uses the pushed commit when the repository cannot be asked", async () => {
    const s = codeService();
    resolveFails = true;
    const w = watcher();
    await w.checkAll();
    assert.equal(open(s).length, 0, "polling needs the repository");
    assert.equal(await w.onPush({ urls: [REPO], branch: "main", commit: NEW }), 1);
    assert.equal(open(s).length, 1, "a signed push is enough");
  });

  it("a push that finds the service busy is deployed once the service is free", async () => {
    const s = codeService({ status: "OPERATION_IN_PROGRESS" });
    const w = watcher();
    try {
      await w.onPush({ urls: [REPO], branch: "main", commit: NEW });
      assert.equal(open(s).length, 0);
      await w.checkDeferred();
      assert.equal(open(s).length, 0, "still busy");
      fx.store.resources.update({ ...fx.current(s), status: "RUNNING" });
      await w.checkDeferred();
      assert.equal(open(s).length, 1);
      assert.equal(open(s)[0]?.state.trigger, CODE_COMMIT_TRIGGER);

      // A deferral ends after 30 minutes.
      const late = codeService({ status: "OPERATION_IN_PROGRESS" });
      await w.onPush({ urls: [REPO], branch: "main", commit: NEW });
      now += 31 * 60_000;
      fx.store.resources.update({ ...fx.current(late), status: "RUNNING" });
      await w.checkDeferred();
      assert.equal(open(late).length, 0);
    } finally {
      await w.stop();
    }
  });

  it("asks private repositories with the connection's token, and logs a connection that is not usable", async () => {
    const priv = codeService({ connection: CONNECTION });
    const pending = codeService({ connection: "arn:aws:apprunner:us-east-1:123456789012:connection/pending/1" });
    const w = watcher();
    await w.checkAll();
    assert.deepEqual(resolveCalls[0], { url: REPO, branch: "main", auth: { token: "tok" } });
    assert.equal(open(priv).length, 1);
    assert.equal(open(pending).length, 0);
    assert.ok(logged.includes("automatic deployment: resolving the branch failed"));
  });

  it("polls by itself", async () => {
    const s = codeService();
    const w = watcher({ pollMs: 20 });
    w.start();
    try {
      const until = Date.now() + 5000;
      while (open(s).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(open(s).length, 1);
    } finally {
      await w.stop();
    }
  });

  it("keeps polling through its timer after passes that found nothing to watch (a fresh start)", async () => {
    const timers = new ManualTimers();
    const w = watcher({ pollMs: 60_000, timers });
    w.start();
    try {
      await timers.advance(60_000);
      await timers.advance(60_000);
      const s = codeService();
      await timers.advance(60_000);
      assert.equal(open(s).length, 1, "the third poll deploys the new commit");
    } finally {
      await w.stop();
    }
  });

  it("retries a push that found its service busy on its own timer", async () => {
    const timers = new ManualTimers();
    const s = codeService({ status: "OPERATION_IN_PROGRESS" });
    const w = watcher({ timers });
    w.start();
    try {
      await w.onPush({ urls: [REPO], branch: "main", commit: NEW });
      await timers.advance(60_000);
      assert.equal(open(s).length, 0, "still busy");
      fx.store.resources.update({ ...fx.current(s), status: "RUNNING" });
      await timers.advance(60_000);
      assert.equal(open(s).length, 1);
    } finally {
      await w.stop();
    }
  });

  it("sees a real commit through git ls-remote (a local repository)", async () => {
    const repo = makeRepo({ "app.py": "v1" });
    try {
      const sources = new GitSources({ dir: join(fx.dir, "sources"), logger: () => undefined });
      const s = codeService({ url: repo.dir, commit: repo.head() });
      const w = watcher({ resolve: (url, branch) => sources.resolve(url, branch) });
      await w.checkAll();
      assert.equal(open(s).length, 0, "the deployed commit is the branch's");
      const next = repo.commit({ "app.py": "v2" }, "v2");
      assert.equal(await w.onPush({ urls: [`file://${repo.dir}/`], branch: "main", commit: next }), 1);
      assert.equal(open(s).length, 1);
    } finally {
      removeRepo(repo);
    }
  });
});
