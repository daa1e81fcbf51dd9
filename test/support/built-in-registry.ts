/**
 * A test's way into the built-in registry of a LocalServer started with `registry: true`, as a
 * user goes: CreateRepository and GetAuthorizationToken through the ECR API, then skopeo.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand, RepositoryAlreadyExistsException } from "@aws-sdk/client-ecr";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsIn } from "./harness.js";
import type { LocalServer } from "./local-server.js";
import { skopeoOk } from "./skopeo.js";

/** The account in the start-up output `openrunner up` prints. */
export function accountIn(output: string): string {
  const account = /account: (\d{12})/.exec(output)?.[1];
  if (!account) throw new Error("openrunner up printed no account");
  return account;
}

/** A LocalServer's account. */
export const accountOf = (srv: LocalServer): string => accountIn(srv.current?.server.output() ?? "");

/** Where a running `openrunner up` with a registry is: what a copy into it needs. */
export interface BuiltInRegistryTarget {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  registryPort: number;
  account: string;
  /** The address the registry listens on (`--registry-host`); 127.0.0.1 when absent. */
  registryHost?: string;
}

/** A LocalServer's coordinates (started with `registry: true`). */
export function targetOf(srv: LocalServer): BuiltInRegistryTarget {
  return { endpoint: srv.current?.server.endpoint ?? "", credentials: credentialsIn(srv.data.dir), registryPort: srv.registryPort, account: accountOf(srv) };
}

/**
 * Copies `source` (an image in a plain loopback registry) into the built-in registry as
 * `<repository>:<tag>`, creating the repository first; returns the image's ECR name
 * (`<account>.dkr.ecr.us-east-1.amazonaws.com/<repository>:<tag>`).
 */
export async function copyToBuiltInRegistry(srv: LocalServer | BuiltInRegistryTarget, source: string, repository: string, tag: string): Promise<string> {
  const target = "data" in srv ? targetOf(srv) : srv;
  const ecr = new ECRClient({ endpoint: target.endpoint, region: "us-east-1", credentials: target.credentials, maxAttempts: 1 });
  const dir = mkdtempSync(join(tmpdir(), "openrunner-skopeo-"));
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository })).catch((err: unknown) => {
      if (!(err instanceof RepositoryAlreadyExistsException)) throw err;
    });
    const password = await ecrPassword(ecr);
    const address = `${target.registryHost ?? "127.0.0.1"}:${target.registryPort}`;
    const authfile = join(dir, "auth.json");
    await skopeoOk(["login", "--authfile", authfile, "-u", "AWS", "--password-stdin", "--tls-verify=false", address], password);
    await skopeoOk(["copy", "--quiet", "--authfile", authfile, "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${source}`, `docker://${address}/${repository}:${tag}`]);
    return `${target.account}.dkr.ecr.us-east-1.amazonaws.com/${repository}:${tag}`;
  } finally {
    ecr.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `aws ecr get-login-password`: the password part of GetAuthorizationToken's token. */
export async function ecrPassword(ecr: ECRClient): Promise<string> {
  const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken ?? "";
  return Buffer.from(token, "base64").toString("utf8").slice("AWS:".length);
}
