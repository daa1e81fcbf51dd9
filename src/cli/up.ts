import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { stopOnSignals } from "./shutdown.js";
import { DEFAULT_QUOTAS, type Quotas } from "../domain/config.js";
import { parseCidr } from "../executor/egress.js";
import { missingHostTools, type LocalRuntimeSettings } from "../runtime/local/setup.js";
import { WAKE_AHEAD_STATES } from "../runtime/local/instance-lifecycle.js";
import { startOpenRunner, type RunningOpenRunner } from "../server.js";
import { DATA_PLANE_TOKEN_FILE } from "../router/edge/data-plane-route.js";
import { REGISTRY_NOTIFICATIONS_PATH } from "../sources/registry-notifications.js";
import { DEFAULT_REGISTRY_PORT, missingRegistryTools } from "../registry/built-in-registry.js";
import { DEFAULT_ENGINE_SOCKET } from "../runtime/swarm/engine-api.js";
import { CUSTOM_DOMAIN_OPTIONS, CUSTOM_DOMAIN_USAGE, customDomainSettings } from "./custom-domain-flags.js";

const USAGE = `Usage: openrunner up [--data-dir DIR] [--master-key-file FILE] [--port N] [--region R] [--domain D] [--quota name=value ...]
                     [--runtime local|swarm|none] [--docker-host SOCKET|tcp://HOST:PORT] [--egress on|off] [--egress-allow CIDR ...] [--ephemeral-storage-mb N] [--wake-ahead prepared|created] [--address-block N] [--image-poll-seconds N] [--code-poll-seconds N]
                     [--router haproxy|none] [--http-port N] [--https-port N (0: off)] [--request-timeout-seconds N]
                     [--runtimes-dir DIR (managed runtimes for builds; default <data-dir>/runtimes)] [--registry-port N (0: no registry)] [--registry-host ADDRESS]
                     [--acme-directory URL] [--acme-email ADDRESS] [--acme-eab-kid KID --acme-eab-hmac-key KEY] [--acme-ca-certificates FILE]
                     [--acme-dns-zone ZONE] [--acme-dns-listen HOST:PORT] [--dns-resolver IP[:PORT] ...] [--data-plane-address IP ...]

Starts the all-in-one OpenRunner server on 127.0.0.1. With --runtime local (the default) services
run as runc containers on this machine; instance addresses are 127.<address-block>.x.y.
With --runtime swarm they run as Docker Swarm services on the swarm whose manager's Engine API
is --docker-host (default /var/run/docker.sock); builds and the data plane stay on this machine,
and the swarm's nodes pull images from the built-in registry at --registry-host (see docs/swarm.md).
Instances and builds reach the internet only: never this host, each other, link-local, private
or the host's networks, except the IPv4 ranges given with --egress-allow.
A service scaled to zero keeps its next instance made ahead of its wake: --wake-ahead prepared (the
default: disk, overlay and bundle without its environment, network kept, no process) or created
(up to runc create as well: runc's waiting init, about 2 MB a service, for a few ms less; docs/scale-to-zero.md).
Every secret of the data directory (access keys, tokens, KMS keys and through them Secrets Manager's
and Parameter Store's values) is sealed under the master key: <data-dir>/secret.key (made on first use),
or --master-key-file FILE, kept outside the data directory (it must exist: start is refused without it).
The built-in image registry (ECR's) listens on <registry-host>:<registry-port> (default 127.0.0.1:${DEFAULT_REGISTRY_PORT}).
${CUSTOM_DOMAIN_USAGE}
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

function dataPlaneLines(running: RunningOpenRunner, settings: LocalRuntimeSettings | undefined): string[] {
  const r = settings?.router;
  if (!running.router || !r) return [];
  const domain = `*.${running.config.region}.${running.config.baseDomain}`;
  return [
    `  service URLs: http://${domain}:${r.httpPort}` +
      (r.httpsPort > 0 ? ` (redirects to https://${domain}:${r.httpsPort}; trust ${running.router.caCertPath ?? "the router's ca.crt"})` : ""),
    `  edge routers: openrunner router --control-plane ${running.endpoint} --token-file ${running.dataDir}/${DATA_PLANE_TOKEN_FILE} (docs/swarm.md)`,
  ];
}

function integer(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} takes a whole number from ${min} to ${max}`);
  return n;
}

/** The local runtime's settings, or undefined (with the reason printed) when it cannot run here. */
function runtimeSettings(values: Record<string, string | boolean | string[] | undefined>): LocalRuntimeSettings | undefined {
  const runtime = String(values.runtime);
  if (runtime === "none") return undefined;
  if (runtime !== "local" && runtime !== "swarm") throw new Error("--runtime takes local, swarm or none");
  const egress = String(values.egress);
  if (egress !== "on" && egress !== "off") throw new Error("--egress takes on or off");
  const egressAllow = (values["egress-allow"] as string[] | undefined) ?? [];
  for (const cidr of egressAllow) {
    if (!/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(cidr)) throw new Error(`--egress-allow takes an IPv4 CIDR (a.b.c.d/n), not "${cidr}"`);
    parseCidr(cidr);
  }
  const missing = missingHostTools();
  if (missing.length > 0) {
    process.stderr.write(
      `openrunner: services cannot run on this host; missing:\n${missing.map((m) => `  - ${m}`).join("\n")}\n` +
        `Install them (npm run up does, as root) and start again. Until then deployments fail with "No runtime is available".\n`,
    );
    return undefined;
  }
  const router = String(values.router);
  if (router !== "haproxy" && router !== "none") throw new Error("--router takes haproxy or none");
  const wakeAhead = WAKE_AHEAD_STATES.find((w) => w === values["wake-ahead"]);
  if (!wakeAhead) throw new Error(`--wake-ahead takes ${WAKE_AHEAD_STATES.join(" or ")}`);
  return {
    router:
      router === "haproxy"
        ? {
            httpPort: integer("http-port", String(values["http-port"]), 1, 65535),
            httpsPort: integer("https-port", String(values["https-port"]), 0, 65535),
            requestTimeoutMs: integer("request-timeout-seconds", String(values["request-timeout-seconds"]), 1, 86_400) * 1000,
          }
        : undefined,
    egress: egress === "on",
    egressAllow,
    ephemeralStorageBytes: integer("ephemeral-storage-mb", String(values["ephemeral-storage-mb"]), 8, 1024 * 1024) * 1024 * 1024,
    wakeAhead,
    addressBlock: integer("address-block", String(values["address-block"]), 1, 254),
    imagePollMs: integer("image-poll-seconds", String(values["image-poll-seconds"]), 0, 86_400) * 1000,
    codePollMs: integer("code-poll-seconds", String(values["code-poll-seconds"]), 0, 86_400) * 1000,
    ...(typeof values["runtimes-dir"] === "string" ? { runtimesDir: resolve(values["runtimes-dir"]) } : {}),
    ...(runtime === "swarm" ? { swarm: { dockerHost: String(values["docker-host"]) } } : {}),
  };
}

export async function up(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string", default: process.env.OPENRUNNER_DATA_DIR ?? "./.openrunner" },
      "master-key-file": { type: "string", ...(process.env.OPENRUNNER_MASTER_KEY_FILE ? { default: process.env.OPENRUNNER_MASTER_KEY_FILE } : {}) },
      port: { type: "string", default: "8600" },
      region: { type: "string", default: "us-east-1" },
      domain: { type: "string", default: "openrunner.localhost" },
      quota: { type: "string", multiple: true, default: [] },
      runtime: { type: "string", default: "local" },
      "docker-host": { type: "string", default: process.env.DOCKER_HOST ?? DEFAULT_ENGINE_SOCKET },
      egress: { type: "string", default: "on" },
      "egress-allow": { type: "string", multiple: true, default: [] },
      "ephemeral-storage-mb": { type: "string", default: "3072" },
      "wake-ahead": { type: "string", default: "prepared" },
      "address-block": { type: "string", default: "202" },
      "image-poll-seconds": { type: "string", default: "60" },
      "code-poll-seconds": { type: "string", default: "60" },
      router: { type: "string", default: "haproxy" },
      "http-port": { type: "string", default: "8080" },
      "https-port": { type: "string", default: "8443" },
      "request-timeout-seconds": { type: "string", default: "120" },
      "runtimes-dir": { type: "string" },
      "registry-port": { type: "string", default: String(DEFAULT_REGISTRY_PORT) },
      "registry-host": { type: "string", default: "127.0.0.1" },
      ...CUSTOM_DOMAIN_OPTIONS,
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const stepDelay = Number(process.env.OPENRUNNER_ENGINE_STEP_DELAY_MS ?? "0");
  const localRuntime = runtimeSettings(values);
  const customDomains = customDomainSettings(values);
  let registryPort = integer("registry-port", String(values["registry-port"]), 0, 65535);
  const missingForRegistry = registryPort > 0 ? missingRegistryTools() : [];
  if (missingForRegistry.length > 0) {
    process.stderr.write(`openrunner: no built-in registry on this host; missing:\n${missingForRegistry.map((m) => `  - ${m}`).join("\n")}\n`);
    registryPort = 0;
  }
  const running = await startOpenRunner({
    dataDir: values["data-dir"],
    ...(values["master-key-file"] !== undefined ? { masterKeyFile: values["master-key-file"] } : {}),
    port: Number(values.port),
    region: values.region,
    baseDomain: values.domain,
    quotas: parseQuotas(values.quota),
    engineStepDelayMs: Number.isFinite(stepDelay) ? stepDelay : 0,
    localRuntime,
    customDomains,
    registry: {
      port: registryPort,
      host: String(values["registry-host"]),
    },
  });
  const env = `AWS_SHARED_CREDENTIALS_FILE=${running.files.credentials} AWS_CONFIG_FILE=${running.files.config}`;
  process.stdout.write(
    [
      `OpenRunner is running.`,
      `  data directory: ${running.dataDir}`,
      `  account: ${running.config.accountId}  region: ${running.config.region}  service domain: *.${running.config.region}.${running.config.baseDomain}`,
      `  endpoint: ${running.endpoint}`,
      `  credentials: ${running.files.credentials} (profile openrunner)`,
      ...dataPlaneLines(running, localRuntime),
      ...(customDomains.challengeZone ? [`  custom domains: validation CNAMEs point into ${customDomains.challengeZone.zone} (answered on ${customDomains.challengeZone.listen})`] : []),
      ...(customDomains.acme ? [`  certificates: ${customDomains.acme.directoryUrl}`] : []),
      ...(running.registry ? [`  image registry: ${running.registry.address} (ECR: ${running.config.accountId}.dkr.ecr.${running.config.region}.amazonaws.com)`] : []),
      `  runtime: ${running.driver.name}${running.registryNotifyToken ? ` (registry push notifications: POST ${running.endpoint}${REGISTRY_NOTIFICATIONS_PATH}, token in ${running.dataDir}/registry-notify.token)` : ""}`,
      ``,
      `Try it with the AWS CLI:`,
      `  ${env} aws --profile openrunner --endpoint-url ${running.endpoint} apprunner list-services`,
      ``,
      `ready: ${running.endpoint}`,
      ``,
    ].join("\n"),
  );
  stopOnSignals(() => running.close());
}
