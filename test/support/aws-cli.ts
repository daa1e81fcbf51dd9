import { execFile } from "node:child_process";

/** AWS CLI v2 from Debian's awscli (the `aws` on PATH may be another version). */
export const AWS_CLI = "/usr/bin/aws";

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

/** Runs the CLI with `argv` and `env`, bounded by a timeout; never rejects (the exit code is data). */
export function runAwsCli(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(AWS_CLI, argv, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
