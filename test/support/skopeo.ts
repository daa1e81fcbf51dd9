/** skopeo, as tests and benchmarks run it against loopback registries. */
import { execFile } from "node:child_process";

/** Never throws: skopeo's exit code and everything it said. */
export function skopeo(args: string[], stdin = "", timeoutMs = 300_000): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = execFile("skopeo", args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      done({ code: err ? (typeof code === "number" ? code : 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(stdin);
  });
}

/** skopeo that must succeed: its failure, with what it said, is thrown. */
export async function skopeoOk(args: string[], stdin = ""): Promise<void> {
  const r = await skopeo(args, stdin);
  if (r.code !== 0) throw new Error(`skopeo ${args[0] ?? ""} failed (${r.code}): ${r.out}`);
}
