import { CreateConnectionCommand, ListConnectionsCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connectionToken } from "../src/sources/git/connection-token.js";
import { CLI, startInProcess, tempDataDir, type InProcessServer } from "./support/harness.js";

const TOKEN = "ghp_cliHandshakeToken_5f3a9c1e7b2d4068";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `openrunner <args>` as the operator runs it, with `stdin` written to its standard input. */
function runCli(args: string[], stdin = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Every byte the data directory holds (database, WAL, key, ...), as text to search. */
function dataDirBytes(dir: string): string {
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f).toString("latin1"))
    .join("\n");
}

async function statusOf(client: AppRunnerClient, name: string): Promise<string | undefined> {
  const out = await client.send(new ListConnectionsCommand({ ConnectionName: name }));
  return out.ConnectionSummaryList?.[0]?.Status;
}

describe("openrunner connection (operator CLI)", () => {
  const data = tempDataDir();
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ dataDir: data.dir });
  });
  after(async () => {
    await server.close();
    data.remove();
  });

  it("completes a handshake from stdin; the connection becomes AVAILABLE and the token stays secret", async () => {
    const { client } = server;
    const created = await client.send(new CreateConnectionCommand({ ConnectionName: "cli-github", ProviderType: "GITHUB" }));
    const arn = created.Connection?.ConnectionArn ?? "";
    assert.equal(await statusOf(client, "cli-github"), "PENDING_HANDSHAKE");

    const run = await runCli(["connection", "complete-handshake", "--no-verify", "--data-dir", data.dir, "--connection-arn", arn], `${TOKEN}\n`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /cli-github is AVAILABLE/);
    assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN), "the token is never printed");

    assert.equal(await statusOf(client, "cli-github"), "AVAILABLE");
    const keyFile = join(data.dir, "secret.key");
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.ok(!dataDirBytes(data.dir).includes(TOKEN), "the token is not in the data directory in plain text");
    // The sealed token opens with the data directory's key, for the build step that will use it.
    assert.equal(connectionToken(server.running.store, data.dir, arn), TOKEN);
  });

  it("reads the token from --token-file, and lists connections with their status", async () => {
    const { client } = server;
    const created = await client.send(new CreateConnectionCommand({ ConnectionName: "cli-bitbucket", ProviderType: "BITBUCKET" }));
    const arn = created.Connection?.ConnectionArn ?? "";
    const tokenDir = tempDataDir("openrunner-token-");
    const tokenFile = join(tokenDir.dir, "token.txt");
    writeFileSync(tokenFile, "bb-token-from-file", { mode: 0o600 });
    const run = await runCli(["connection", "complete-handshake", "--no-verify", "--data-dir", data.dir, "--connection-arn", arn, "--token-file", tokenFile]);
    tokenDir.remove();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await statusOf(client, "cli-bitbucket"), "AVAILABLE");

    const list = await runCli(["connection", "list", "--data-dir", data.dir]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`cli-bitbucket\\s+AVAILABLE\\s+${arn}`));
    assert.match(list.stdout, /cli-github\s+AVAILABLE\s+arn:aws:apprunner:/);
    assert.ok(!list.stdout.includes("bb-token-from-file"));
  });

  it("fails clearly for an unknown connection, an empty token and a missing data directory", async () => {
    const { client } = server;
    const created = await client.send(new CreateConnectionCommand({ ConnectionName: "cli-pending", ProviderType: "GITHUB" }));
    const arn = created.Connection?.ConnectionArn ?? "";
    const unknown = arn.replace(/[0-9a-f]{32}$/, "f".repeat(32));
    const notFound = await runCli(["connection", "complete-handshake", "--no-verify", "--data-dir", data.dir, "--connection-arn", unknown], TOKEN);
    assert.equal(notFound.code, 1);
    assert.match(notFound.stderr, /ResourceNotFoundException: Connection not found/);
    assert.ok(!notFound.stderr.includes(TOKEN));

    const empty = await runCli(["connection", "complete-handshake", "--no-verify", "--data-dir", data.dir, "--connection-arn", arn], "\n");
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /token is empty/);
    assert.equal(await statusOf(client, "cli-pending"), "PENDING_HANDSHAKE");

    const missing = join(data.dir, "does-not-exist");
    const noDir = await runCli(["connection", "list", "--data-dir", missing]);
    assert.equal(noDir.code, 1);
    assert.match(noDir.stderr, /no OpenRunner data directory/);
    assert.ok(!existsSync(missing), "a mistyped data directory is not created");
  });
});
