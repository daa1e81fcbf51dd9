import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { completeHandshake, type ConnectionDoc } from "../domain/connection-handshake.js";
import { SecretBox } from "../iam/secret-box.js";
import { Store } from "../store/store.js";
import { systemClock } from "../util/clock.js";
import { verifyProviderToken } from "../sources/git/verify-token.js";

const USAGE = `Usage:
  openrunner connection complete-handshake --data-dir DIR [--master-key-file FILE] --connection-arn ARN [--token-file FILE] [--no-verify]
      Completes a connection's provider handshake with a provider access token, read from
      FILE or, without --token-file, from standard input. The token is first checked with the
      provider (GitHub, Bitbucket) when it can be reached; a refused token is not stored. The
      token is stored encrypted (key: DIR/secret.key, or the --master-key-file 'openrunner up' was
      given) and never printed.
  openrunner connection list --data-dir DIR [--master-key-file FILE]
      Prints each connection's name, status and ARN.

Works on the data directory directly, so it can run beside 'openrunner up'.`;

/** The master key `openrunner up` uses for this data directory: the named file (which must exist), or the directory's own. */
const masterKeyOf = (dataDir: string, file: string | undefined): SecretBox =>
  file === undefined ? SecretBox.forDataDir(resolve(dataDir)) : SecretBox.forFile(resolve(file), { create: false });

function openStore(dataDir: string, masterKeyFile: string | undefined): { store: Store; box: SecretBox } {
  const file = join(resolve(dataDir), "openrunner.db");
  // Store.open would create an empty database: a mistyped directory should fail instead.
  if (!existsSync(file)) throw new Error(`no OpenRunner data directory at ${resolve(dataDir)} (missing openrunner.db)`);
  const box = masterKeyOf(dataDir, masterKeyFile);
  return { store: Store.open(file, box), box };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Paste the provider token, then press Ctrl-D:\n");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function completeHandshakeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string", default: process.env.OPENRUNNER_DATA_DIR ?? "./.openrunner" },
      "master-key-file": { type: "string", ...(process.env.OPENRUNNER_MASTER_KEY_FILE ? { default: process.env.OPENRUNNER_MASTER_KEY_FILE } : {}) },
      "connection-arn": { type: "string" },
      "token-file": { type: "string" },
      "no-verify": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const arn = values["connection-arn"];
  if (!arn) throw new Error("--connection-arn is required");
  const { store, box } = openStore(values["data-dir"], values["master-key-file"]);
  try {
    // The token never comes from the command line: argv is visible to every user in `ps`.
    const token = values["token-file"] ? readFileSync(values["token-file"], "utf8") : await readStdin();
    if (!values["no-verify"]) {
      const provider = store.resources.get<ConnectionDoc>(arn)?.doc.ProviderType ?? "";
      const check = await verifyProviderToken(provider, token.trim());
      if (check.verdict === "refused") throw new Error(`the token was not stored: ${check.detail}`);
      if (check.verdict === "unreachable") process.stderr.write(`openrunner: the token is stored unverified: ${check.detail}\n`);
    }
    const connection = completeHandshake({ store, clock: systemClock }, box, arn, token);
    process.stdout.write(`${connection.ConnectionName ?? ""} is ${connection.Status ?? ""}\n`);
  } finally {
    store.close();
  }
}

function listCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string", default: process.env.OPENRUNNER_DATA_DIR ?? "./.openrunner" },
      "master-key-file": { type: "string", ...(process.env.OPENRUNNER_MASTER_KEY_FILE ? { default: process.env.OPENRUNNER_MASTER_KEY_FILE } : {}) },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const store = openStore(values["data-dir"], values["master-key-file"]).store;
  try {
    const rows = store.resources.list<ConnectionDoc>({ kind: "connection" });
    const width = Math.max(4, ...rows.map((r) => r.name.length));
    const lines = [`${"NAME".padEnd(width)}  ${"STATUS".padEnd(17)}  ARN`];
    for (const r of rows) lines.push(`${r.name.padEnd(width)}  ${r.status.padEnd(17)}  ${r.arn}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    store.close();
  }
}

/** Operator tasks on connections, until the web console offers them. */
export async function connectionCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === "complete-handshake") return completeHandshakeCommand(rest);
  if (sub === "list") return listCommand(rest);
  process.stdout.write(`${USAGE}\n`);
  process.exitCode = sub === undefined || sub === "--help" ? 0 : 2;
}
