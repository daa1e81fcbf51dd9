import type { Random } from "../../util/random.js";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** IAM's unique ids: a four-letter prefix (AIDA user, AGPA group, AROA role, ANPA policy, AIPA instance profile) and 17 of [A-Z2-7]. */
export type IamIdPrefix = "AIDA" | "AGPA" | "AROA" | "ANPA" | "AIPA";

export function iamUniqueId(random: Random, prefix: IamIdPrefix): string {
  return prefix + Array.from(random.bytes(17), (b) => BASE32[b % 32]).join("");
}
