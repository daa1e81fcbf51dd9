import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { normalizeRepoUrl, parseSourceUrl } from "./urls.js";

describe("repository URLs (pure)", () => {
  it("parses what git is given, moving credentials out of the URL", () => {
    assert.deepEqual(parseSourceUrl("https://github.com/owner/repo.git"), {
      kind: "http",
      target: "https://github.com/owner/repo.git",
      display: "https://github.com/owner/repo.git",
    });
    assert.deepEqual(parseSourceUrl("https://me:p%40ss@git.example.com/r"), {
      kind: "http",
      target: "https://git.example.com/r",
      display: "https://git.example.com/r",
      basic: { username: "me", password: "p@ss" },
    });
    assert.deepEqual(parseSourceUrl("file:///srv/git/app"), { kind: "file", target: "file:///srv/git/app", display: "file:///srv/git/app" });
    assert.deepEqual(parseSourceUrl("/srv/git/app/"), { kind: "path", target: "/srv/git/app", display: "/srv/git/app" });
    assert.deepEqual(parseSourceUrl("../app", "/home/me/openrunner"), { kind: "path", target: "/home/me/app", display: "/home/me/app" });
    assert.throws(() => parseSourceUrl("git@github.com:o/r.git"), /SSH repository URLs are not supported/);
    assert.throws(() => parseSourceUrl("git://host/r"), /git:\/\/ repository URLs are not supported/);
    assert.throws(() => parseSourceUrl("file://otherhost/r"), /on this host/);
    assert.throws(() => parseSourceUrl("  "), /empty/);
    assert.throws(() => parseSourceUrl("https://u:secret@"), (err: Error) => !err.message.includes("secret"));
  });

  it("normalizes every way of writing one repository to one form", () => {
    const table: [string, string | undefined][] = [
      ["https://github.com/Owner/Repo.git", "github.com/Owner/Repo"],
      ["https://GitHub.com/Owner/Repo", "github.com/Owner/Repo"],
      ["http://github.com/Owner/Repo/", "github.com/Owner/Repo"],
      ["https://x-access-token:abc@github.com:443/Owner/Repo.git/", "github.com/Owner/Repo"],
      ["git@github.com:Owner/Repo.git", "github.com/Owner/Repo"],
      ["ssh://git@github.com/Owner/Repo.git", "github.com/Owner/Repo"],
      ["git://github.com/Owner/Repo.git", "github.com/Owner/Repo"],
      ["http://127.0.0.1:3000/app", "127.0.0.1:3000/app"],
      ["http://127.0.0.1:3001/app", "127.0.0.1:3001/app"],
      ["file:///srv/git/app.git", "file:/srv/git/app"],
      ["/srv/git/app/.git", "file:/srv/git/app"],
      ["/srv/git/app", "file:/srv/git/app"],
      ["", undefined],
      ["http://[bad", undefined],
    ];
    for (const [url, want] of table) assert.equal(normalizeRepoUrl(url), want, url);
  });
});
