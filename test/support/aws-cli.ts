import { execFile } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";

/** AWS CLI v2 from Debian's awscli (the `aws` on PATH may be another version). */
export const AWS_CLI = "/usr/bin/aws";

/** AWS CLI v1 (Python, botocore), which many users still run: pyenv's shim unless told otherwise. */
export const AWS_CLI_V1 = process.env.OPENRUNNER_AWS_CLI_V1 ?? join(homedir(), ".pyenv", "shims", "aws");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI's environment: this process's minus every AWS_ setting of the developer's own, plus
 * the server's credential and config files (as `openrunner up` tells users), no pager.
 */
export function awsCliEnv(files: { credentials: string; config: string }, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  return {
    ...env,
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
    AWS_CONFIG_FILE: files.config,
    ...extra,
  };
}

/** Runs the CLI (v2 unless `binary` says otherwise) with `argv` and `env`, bounded by a timeout; never rejects (the exit code is data). */
export function runAwsCli(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, binary = AWS_CLI): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(binary, argv, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
