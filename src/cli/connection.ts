/** Operator tasks on connections; filled in with the connections operations. */
export async function connectionCommand(_argv: string[]): Promise<void> {
  process.stderr.write("openrunner connection: not available yet\n");
  process.exitCode = 2;
}
