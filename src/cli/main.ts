#!/usr/bin/env node
import { AppRunnerError } from "../errors/app-runner-error.js";
import { connectionCommand } from "./connection.js";
import { deploymentsCommand, rollbackCommand } from "./deployments.js";
import { rolloutCommand } from "./rollout.js";
import { routerCommand } from "./router.js";
import { up } from "./up.js";

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  up,
  connection: connectionCommand,
  router: routerCommand,
  deployments: deploymentsCommand,
  rollback: rollbackCommand,
  rollout: rolloutCommand,
};

const USAGE = `Usage: openrunner <command> [options]

Commands:
  up            start the all-in-one server (API, engine, store)
  connection    operator tasks on connections (complete-handshake, list)
  deployments   a service's retained successful deployments (the ones rollback can deploy again)
  rollback      deploy an earlier successful deployment again, without a pull or a build
  rollout       a service's latest gradual rollout: its steps, measurements and outcome
  router        an edge router: HAProxy on another machine that takes traffic, fed by the control plane

Run 'openrunner <command> --help' for a command's options.`;

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    process.stdout.write(`${USAGE}\n`);
    process.exitCode = command && command !== "--help" ? 2 : 0;
    return;
  }
  await run(rest);
}

main().catch((err: unknown) => {
  const message = err instanceof AppRunnerError ? `${err.awsType}: ${err.message}` : err instanceof Error ? err.message : String(err);
  process.stderr.write(`openrunner: ${message}\n`);
  process.exit(1);
});
