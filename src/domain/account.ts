import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Store } from "../store/store.js";
import type { Random } from "../util/random.js";

/** Facts fixed on first start: a data directory made for one region stays in that region. */
export function accountSettings(store: Store, random: Random, region: string, baseDomain: string): { accountId: string } {
  const accountId = store.meta.getOrInit("account_id", () => {
    const digits = Array.from(random.bytes(12), (b) => String(b % 10)).join("");
    return digits.startsWith("0") ? `1${digits.slice(1)}` : digits;
  });
  const storedRegion = store.meta.getOrInit("region", () => region);
  if (storedRegion !== region) {
    throw new AppRunnerError(
      "InvalidRequest",
      `This data directory belongs to region ${storedRegion}; start with --region ${storedRegion} or use another --data-dir.`,
    );
  }
  store.meta.getOrInit("base_domain", () => baseDomain);
  return { accountId };
}
