import type { RequestContext } from "../protocol/context.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";

/** What IAM's handlers need beyond the call. */
export interface IamDeps {
  store: Store;
  accountId: string;
  clock: Clock;
  random: Random;
}

export type IamContext = RequestContext<IamDeps>;

/** IAM's JSON form has timestamps in epoch seconds (the XML encoder prints them ISO 8601); IAM shows whole seconds. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
