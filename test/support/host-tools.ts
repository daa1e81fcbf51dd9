import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Whether an executable of that name is on PATH (as spawn would find it). */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A node:test `skip` value: false when every command is on PATH, else the reason (the unit loop needs no apt). */
export function skipUnlessOnPath(...commands: string[]): string | false {
  const missing = commands.filter((c) => !onPath(c));
  return missing.length === 0 ? false : `needs ${missing.join(", ")} on PATH (installed by npm run up)`;
}
