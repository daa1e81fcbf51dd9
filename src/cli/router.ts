import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { stopOnSignals } from "./shutdown.js";
import { httpControlPlane } from "../router/edge/control-plane-client.js";
import { EdgeRouter } from "../router/edge/edge-router.js";
import { isEdgeRouterName } from "../router/edge/load-report.js";
import { HaproxyRouter } from "../router/router.js";
import { stderrLogger } from "../util/stderr-logger.js";

const USAGE = `Usage: openrunner router --control-plane http://HOST:PORT --token-file FILE [--name NAME]
                         [--http-port N] [--https-port N (0: off, the default)] [--dir DIR] [--region R] [--domain D]

An edge router: HAProxy on a machine that takes traffic (a swarm node behind DNS round robin or
a load balancer), serving the same routes as the control plane's own data plane. Every second it
fetches the routes from the control plane (GET /openrunner/data-plane/routes) and applies what
changed, and reports its load for the autoscaler (POST /openrunner/data-plane/load). FILE holds
the control plane's <data-dir>/data-plane.token. When the control plane cannot be reached it keeps
serving the last routes it had (kept in DIR, default ./.openrunner-router, also across restarts).
With --https-port, HTTPS uses a certificate of this router's own CA (DIR/ca.crt).`;

function port(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} takes a port number from 0 to 65535`);
  return n;
}

export async function routerCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "control-plane": { type: "string" },
      "token-file": { type: "string" },
      name: { type: "string", default: hostname() },
      "http-port": { type: "string", default: "8080" },
      "https-port": { type: "string", default: "0" },
      dir: { type: "string", default: "./.openrunner-router" },
      region: { type: "string", default: "us-east-1" },
      domain: { type: "string", default: "openrunner.localhost" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const controlPlane = values["control-plane"];
  const tokenFile = values["token-file"];
  if (!controlPlane || !/^https?:\/\//.test(controlPlane)) throw new Error("--control-plane takes the control plane's endpoint, http://HOST:PORT");
  if (!tokenFile) throw new Error("--token-file takes a file holding the control plane's data-plane.token");
  if (!isEdgeRouterName(values.name)) throw new Error("--name takes 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
  const token = readFileSync(tokenFile, "utf8").trim();
  if (!token) throw new Error(`${tokenFile} is empty`);
  const logger = stderrLogger;
  const router = new HaproxyRouter({
    routerDir: resolve(values.dir),
    httpPort: port("http-port", values["http-port"]),
    httpsPort: port("https-port", values["https-port"]),
    region: values.region,
    baseDomain: values.domain,
    logger,
  });
  const edge = new EdgeRouter({ name: values.name, router, controlPlane: httpControlPlane(controlPlane, token), logger });
  await edge.start();
  // Background tasks' timers never keep a process alive; this one lives until a signal stops it.
  const alive = setInterval(() => undefined, 60_000);
  process.stdout.write(`edge router ${values.name} is serving on :${values["http-port"]} (routes from ${controlPlane})\nready\n`);
  stopOnSignals(async () => {
    clearInterval(alive);
    await edge.stop();
  });
}
