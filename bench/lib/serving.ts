import { performance } from "node:perf_hooks";
import { viaRouter } from "../../test/support/router-client.js";
import { sleep } from "./proc-status.js";

/**
 * Polls the data plane on 127.0.0.1:`port` with the service's Host every `everyMs` until it
 * answers 200 with a body `matches` accepts; the milliseconds since `since` (performance.now()).
 */
export async function msUntilServed(port: number, host: string, matches: (body: string) => boolean, since: number, opts: { everyMs: number; timeoutMs: number }): Promise<number> {
  for (;;) {
    const reply = await viaRouter({ port, host, timeoutMs: 2_000 }).catch(() => undefined);
    if (reply?.status === 200 && matches(reply.body)) return performance.now() - since;
    if (performance.now() - since > opts.timeoutMs) throw new Error(`${host} did not answer as expected within ${opts.timeoutMs} ms (last: ${reply?.status ?? "none"})`);
    await sleep(opts.everyMs);
  }
}
