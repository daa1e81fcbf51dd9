import { parseArgs } from "node:util";
import { DEFAULT_QUOTAS, type Quotas } from "../domain/config.js";
import { startOpenRunner } from "../server.js";

const USAGE = `Usage: openrunner up [--data-dir DIR] [--port N] [--region R] [--domain D] [--quota name=value ...]

Starts the all-in-one OpenRunner server on 127.0.0.1.
Quotas (defaults): ${Object.entries(DEFAULT_QUOTAS)
  .map(([k, v]) => `${k}=${v}`)
  .join(", ")}`;

function parseQuotas(values: string[]): Partial<Quotas> {
  const out: Partial<Quotas> = {};
  for (const v of values) {
    const [name, raw] = v.split("=");
    if (!name || !(name in DEFAULT_QUOTAS) || raw === undefined || !/^\d+$/.test(raw)) {
      throw new Error(`--quota takes name=number with a name from: ${Object.keys(DEFAULT_QUOTAS).join(", ")}`);
    }
    out[name as keyof Quotas] = Number(raw);
  }
  return out;
}

export async function up(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string", default: process.env.OPENRUNNER_DATA_DIR ?? "./.openrunner" },
      port: { type: "string", default: "8600" },
      region: { type: "string", default: "us-east-1" },
      domain: { type: "string", default: "openrunner.localhost" },
      quota: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const stepDelay = Number(process.env.OPENRUNNER_ENGINE_STEP_DELAY_MS ?? "0");
  const running = await startOpenRunner({
    dataDir: values["data-dir"],
    port: Number(values.port),
    region: values.region,
    baseDomain: values.domain,
    quotas: parseQuotas(values.quota),
    engineStepDelayMs: Number.isFinite(stepDelay) ? stepDelay : 0,
  });
  const env = `AWS_SHARED_CREDENTIALS_FILE=${running.files.credentials} AWS_CONFIG_FILE=${running.files.config}`;
  process.stdout.write(
    [
      `OpenRunner is running.`,
      `  data directory: ${running.dataDir}`,
      `  account: ${running.config.accountId}  region: ${running.config.region}  service domain: *.${running.config.region}.${running.config.baseDomain}`,
      `  endpoint: ${running.endpoint}`,
      `  credentials: ${running.files.credentials} (profile openrunner)`,
      ``,
      `Try it with the AWS CLI:`,
      `  ${env} aws --profile openrunner --endpoint-url ${running.endpoint} apprunner list-services`,
      ``,
      `ready: ${running.endpoint}`,
      ``,
    ].join("\n"),
  );
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stdout.write(`received ${signal}, stopping\n`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
