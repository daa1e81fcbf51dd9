/**
 * One hashicorp/aws provider process for a whole Terraform workspace, which every `terraform`
 * command of it attaches to (TF_REATTACH_PROVIDERS, the provider's own `-debug` mode).
 *
 * Why: Terraform starts the provider afresh three or four times per command (schema, validate,
 * plan, apply), and each start of this ~700 MB binary builds the schemas of every AWS resource
 * before it answers: about 1.5-2 s each on a busy 2-core machine, so most of a plan's time.
 * Attached, it is the same binary speaking the same protocol to the same Terraform; it is only
 * started once. Terraform does not stop a provider it attached to: `stop()` does, by its PID,
 * and the process also gets SIGKILL when the test process that started it dies (setpriv's
 * parent-death signal), so a crashed or killed test run leaves no provider behind.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { onPath } from "./host-tools.js";
import { stopPid } from "./pids.js";

export interface DebugProvider {
  /** The value of TF_REATTACH_PROVIDERS that attaches Terraform to this process. */
  reattach: string;
  pid: number;
  stop(): Promise<void>;
}

/** The provider's executable in its unpacked package directory (`terraform-provider-aws_v<version>_x5`). */
export function providerExecutable(packageDir: string): string {
  const name = readdirSync(packageDir).find((f) => f.startsWith("terraform-provider-"));
  if (!name) throw new Error(`no terraform-provider-* executable in ${packageDir}`);
  return join(packageDir, name);
}

/**
 * Starts `<executable> -debug` with `env` (the provider reads its credentials from its own
 * environment, not Terraform's) and waits (bounded) for the reattach line it prints.
 */
export async function startDebugProvider(executable: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<DebugProvider> {
  const [cmd, args] = onPath("setpriv") ? ["setpriv", ["--pdeathsig", "KILL", "--", executable, "-debug"]] : [executable, ["-debug"]];
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid ?? 0;
  const stop = (): Promise<void> => stopPid(pid, 5_000);
  let output = "";
  try {
    const reattach = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the provider printed no TF_REATTACH_PROVIDERS in ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const m = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(output);
        if (!m?.[1]) return;
        clearTimeout(timer);
        resolve(m[1]);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the provider exited (${code ?? signal}) before it could be attached:\n${output}`));
      });
    });
    // Its later output (request logs) is not needed, but must be read so the pipes never fill.
    child.stdout.removeAllListeners("data").resume();
    child.stderr.removeAllListeners("data").resume();
    child.removeAllListeners("exit");
    return { reattach, pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
