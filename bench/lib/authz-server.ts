/**
 * OpenRunner with an IAM user whose ten policies of ten statements come from a fixed
 * IdentityPolicySource (bench/lib/authz-policies.ts), as a child process of its own.
 *
 *   node dist/bench/lib/authz-server.js <data-dir>   prints `ready: <endpoint>`, stops on SIGTERM
 */
import { startOpenRunner } from "../../src/server.js";
import { BENCH_USER, benchPolicySource, benchPrincipal } from "./authz-policies.js";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: authz-server.js <data-dir>");
const running = await startOpenRunner({ dataDir, port: 0, identityPolicies: benchPolicySource(), logger: () => undefined });
running.store.accessKeys.insert({
  accessKeyId: BENCH_USER.accessKeyId,
  secretAccessKey: BENCH_USER.secretAccessKey,
  principal: benchPrincipal(running.config.accountId),
  createdAt: Date.now(),
});
process.stdout.write(`ready: ${running.endpoint}\n`);
process.on("SIGTERM", () => {
  running.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`authz-server: close failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
