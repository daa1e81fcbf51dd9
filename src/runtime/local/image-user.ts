import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";

/** Name -> [uid, primary gid] from a passwd file, or name -> gid from a group file. */
function readIds(rootfs: string, file: "passwd" | "group"): Map<string, number[]> {
  let text: string;
  try {
    text = readFileSync(join(rootfs, "etc", file), "utf8");
  } catch {
    return new Map(); // Images without /etc/passwd (scratch, busybox) can still name numeric ids.
  }
  const out = new Map<string, number[]>();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || !f[0]) continue;
    out.set(f[0], file === "passwd" ? [Number(f[2]), Number(f[3])] : [Number(f[2])]);
  }
  return out;
}

/**
 * The OCI config's `user` (`name`, `uid`, `uid:gid`, `name:group`) as numeric ids, read from
 * the image's own /etc/passwd and /etc/group as a container runtime does. Empty means root.
 */
export function resolveImageUser(rootfs: string, user: string): { uid: number; gid: number } {
  if (!user) return { uid: 0, gid: 0 };
  const [u = "", g] = user.split(":");
  const numeric = (s: string): number | undefined => (/^\d+$/.test(s) ? Number(s) : undefined);
  const passwd = readIds(rootfs, "passwd");
  const entry = passwd.get(u);
  const uid = numeric(u) ?? entry?.[0];
  if (uid === undefined) throw new AppRunnerError("InstanceFailed", `The image's user "${u}" is not in its /etc/passwd.`);
  let gid: number | undefined;
  if (g !== undefined) {
    gid = numeric(g) ?? readIds(rootfs, "group").get(g)?.[0];
    if (gid === undefined) throw new AppRunnerError("InstanceFailed", `The image's group "${g}" is not in its /etc/group.`);
  } else {
    gid = entry?.[1] ?? [...passwd.values()].find((e) => e[0] === uid)?.[1] ?? uid;
  }
  return { uid, gid };
}
