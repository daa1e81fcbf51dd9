/**
 * Terraform with the hashicorp/aws provider from a local filesystem mirror, against OpenRunner:
 * no network, no registry. `findTerraform()` says what is missing (a reason to skip) or where
 * the binary and the provider are; `TerraformWorkspace` runs `terraform` in a directory with a
 * CLI configuration of its own.
 *
 * The provider binary is ~700 MB. Installing it copies it into each working directory, so the
 * workspace's plugin cache holds a symlink to the mirror's package instead: `terraform init`
 * finds it there, checks its hash and links it, and nothing is copied. Every command after
 * `init` attaches to one provider process the workspace starts (terraform-provider.ts) instead
 * of starting the provider several times per command; `close()` stops it.
 *
 * Where the provider sends each service's calls is in its environment (AWS_ENDPOINT_URL_<SERVICE>,
 * which the AWS SDK for Go reads as it reads an `endpoints` block), not in an `endpoints` block:
 * the provider validates its configuration twice per command, and an `endpoints` block (a set
 * of one object with an attribute for each of ~400 services) costs 3-4 s of CPU each time,
 * most of a plan's time. `awsProviderBlocks(..., { endpointsBlock })` writes the block the
 * docs show, for the test that proves it (terraform.e2e.test.ts).
 */
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import semver from "semver";
import { providerExecutable, startDebugProvider, type DebugProvider } from "./terraform-provider.js";

const PROVIDER = "registry.terraform.io/hashicorp/aws";
const PLATFORM = "linux_amd64";

/** Where provider mirrors usually are (Terraform's implied mirror directories first), then /opt/tf-plugins. */
const MIRROR_CANDIDATES = [
  process.env.OPENRUNNER_TERRAFORM_MIRROR,
  join(homedir(), ".terraform.d", "plugins"),
  join(homedir(), ".local", "share", "terraform", "plugins"),
  "/usr/local/share/terraform/plugins",
  "/usr/share/terraform/plugins",
  "/opt/tf-plugins",
];

export interface TerraformSetup {
  binary: string;
  /** The filesystem mirror (unpacked layout) that holds the provider. */
  mirror: string;
  providerVersion: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** The highest hashicorp/aws version the mirror holds for this platform. */
function mirroredVersion(mirror: string): string | undefined {
  const dir = join(mirror, PROVIDER);
  if (!existsSync(dir)) return undefined;
  const versions = readdirSync(dir).filter((v) => semver.valid(v) !== null && existsSync(join(dir, v, PLATFORM)));
  return versions.sort(semver.rcompare)[0];
}

/** Terraform and the provider mirror, or the reason a test cannot use them. */
export function findTerraform(): TerraformSetup | string {
  const binary = onPath("terraform");
  if (!binary) return "terraform is not installed (not on PATH)";
  for (const mirror of MIRROR_CANDIDATES) {
    if (!mirror) continue;
    const providerVersion = mirroredVersion(mirror);
    if (providerVersion) return { binary, mirror, providerVersion };
  }
  return `no local mirror of ${PROVIDER} for ${PLATFORM} (looked in ${MIRROR_CANDIDATES.filter(Boolean).join(", ")}; set OPENRUNNER_TERRAFORM_MIRROR)`;
}

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One resource instance of the state (no count or for_each here). */
export interface StateResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
}

/** OpenRunner's endpoint and the provider's names of the services it serves there (STS is added). */
export interface AwsEndpoints {
  url: string;
  services: readonly string[];
}

/** The AWS SDK's service id (upper snake case) in AWS_ENDPOINT_URL_<id>, by the provider's `endpoints` name. */
const SDK_SERVICE_IDS: Readonly<Record<string, string>> = {
  apprunner: "APPRUNNER",
  ecr: "ECR",
  iam: "IAM",
  kms: "KMS",
  secretsmanager: "SECRETS_MANAGER",
  ssm: "SSM",
  sts: "STS",
};

/** AWS_ENDPOINT_URL_<SERVICE> for each service and STS (which the provider asks for the account). */
export function endpointEnvironment(endpoints: AwsEndpoints): Record<string, string> {
  const env: Record<string, string> = {};
  for (const service of [...endpoints.services, "sts"]) {
    const id = SDK_SERVICE_IDS[service];
    if (!id) throw new Error(`no AWS SDK service id known for the provider's endpoints name ${service}`);
    env[`AWS_ENDPOINT_URL_${id}`] = endpoints.url;
  }
  return env;
}

export class TerraformWorkspace {
  private readonly env: NodeJS.ProcessEnv;
  private provider: Promise<DebugProvider> | undefined;

  /**
   * `dir` must exist and be empty; `credentials` are the keys Terraform signs with; `endpoints`
   * where the provider sends the services' calls (none: the configuration has its `endpoints` block).
   */
  constructor(
    private readonly setup: TerraformSetup,
    readonly dir: string,
    credentials: { accessKeyId: string; secretAccessKey: string },
    endpoints?: AwsEndpoints,
  ) {
    const cache = join(dir, ".plugin-cache");
    const cached = join(cache, PROVIDER, setup.providerVersion);
    mkdirSync(cached, { recursive: true });
    symlinkSync(join(setup.mirror, PROVIDER, setup.providerVersion, PLATFORM), join(cached, PLATFORM));
    const cliConfig = join(dir, ".terraformrc");
    writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(setup.mirror)}\n  }\n}\n`);
    const inherited: NodeJS.ProcessEnv = {};
    // Neither the developer's AWS settings nor their Terraform settings may leak in.
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_") && !k.startsWith("TF_")) inherited[k] = v;
    this.env = {
      ...inherited,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_PLUGIN_CACHE_DIR: cache,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_CONFIG_FILE: "/dev/null",
      ...(endpoints ? endpointEnvironment(endpoints) : {}),
    };
  }

  writeConfig(hcl: string): void {
    writeFileSync(join(this.dir, "main.tf"), hcl);
  }

  /** The workspace's provider process, started on first use (`init` installs the provider without it). */
  private attach(): Promise<DebugProvider> {
    // TMPDIR: its plugin socket goes into the workspace, removed with it even after a SIGKILL.
    const executable = providerExecutable(join(this.setup.mirror, PROVIDER, this.setup.providerVersion, PLATFORM));
    this.provider ??= startDebugProvider(executable, { ...this.env, TMPDIR: this.dir });
    return this.provider;
  }

  /** Stops the provider process (by its PID), if one was started. */
  async close(): Promise<void> {
    const provider = this.provider;
    this.provider = undefined;
    // A provider that failed to start was stopped then, and its error rejected that run().
    const started = await provider?.catch(() => undefined);
    await started?.stop();
  }

  /**
   * After the tests: destroys only what a failed test left behind (a destroy with nothing to do
   * still starts the provider), stops the provider and removes the directory.
   */
  async discard(): Promise<void> {
    try {
      if (this.state().size > 0) await this.run(["destroy", "-no-color", "-auto-approve", "-input=false"]);
    } finally {
      await this.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Runs `terraform <args>` (bounded); the exit code is data (rejects only when the provider cannot start). */
  async run(args: string[], timeoutMs = 180_000): Promise<TerraformResult> {
    const env = args[0] === "init" ? this.env : { ...this.env, TF_REATTACH_PROVIDERS: (await this.attach()).reattach };
    return new Promise((resolve) => {
      execFile(
        this.setup.binary,
        ["-chdir=" + this.dir, ...args],
        { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
        },
      );
    });
  }

  /** Like run(), but a non-zero exit is an error that carries Terraform's own output. */
  async ok(args: string[]): Promise<string> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`terraform ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** `terraform plan -detailed-exitcode`: 0 when there is nothing to do, 2 with changes (the plan's text). */
  async plan(): Promise<{ changes: boolean; output: string }> {
    const r = await this.run(["plan", "-no-color", "-detailed-exitcode", "-input=false"]);
    if (r.code !== 0 && r.code !== 2) throw new Error(`terraform plan exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return { changes: r.code === 2, output: r.stdout };
  }

  apply(): Promise<string> {
    return this.ok(["apply", "-no-color", "-auto-approve", "-input=false"]);
  }

  /**
   * The managed resources in the local state file, by address. Read from the file (format 4)
   * rather than through `terraform show -json`, which starts the provider to load its schema.
   */
  state(): Map<string, StateResource> {
    const file = join(this.dir, "terraform.tfstate");
    if (!existsSync(file)) return new Map();
    const raw = JSON.parse(readFileSync(file, "utf8")) as {
      resources?: { mode: string; type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    const managed = (raw.resources ?? []).filter((r) => r.mode === "managed");
    return new Map(managed.map((r) => [`${r.type}.${r.name}`, { address: `${r.type}.${r.name}`, type: r.type, values: r.instances[0]?.attributes ?? {} }]));
  }
}

/** A workspace in a new temporary directory with `hcl` written and `terraform init` done (the directory goes again if init fails). */
export async function initWorkspace(
  setup: TerraformSetup,
  prefix: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  hcl: string,
  endpoints?: AwsEndpoints,
): Promise<TerraformWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const tf = new TerraformWorkspace(setup, dir, credentials, endpoints);
    tf.writeConfig(hcl);
    await tf.ok(["init", "-no-color", "-input=false"]);
    return tf;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The `terraform` and `provider "aws"` blocks every Terraform test starts with: the mirrored
 * provider, with the services' endpoints from the workspace's environment (AwsEndpoints), or
 * with `endpointsBlock`: an `endpoints` block with `services` (plus STS, which the provider asks
 * for the account) at `url`, as the docs show it. No skip_credentials_validation /
 * skip_requesting_account_id: the provider asks OpenRunner's STS GetCallerIdentity for the
 * account, as it asks AWS's.
 */
export function awsProviderBlocks(providerVersion: string, opts: { endpointsBlock?: AwsEndpoints } = {}): string {
  const block = opts.endpointsBlock;
  const endpoints = block
    ? `  endpoints {\n${[...block.services, "sts"].map((s) => `    ${s} = "${block.url}"`).join("\n")}\n  }\n`
    : "";
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${providerVersion}" }
  }
}

provider "aws" {
  region                  = "us-east-1"
  skip_metadata_api_check = true
  skip_region_validation  = true
${endpoints}}
`;
}
