/*
 * `openrunner up --runtime swarm`'s preflight against real Docker daemons (Debian's dockerd,
 * private data root and socket): what a daemon outside a swarm, a healthy single-node swarm and
 * a drained one really answer, judged by swarmProblems. Nothing here leaves loopback: the
 * non-loopback registry address is only judged, never reached.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { checkSwarm } from "../src/runtime/swarm/preflight.js";
import { LABELS } from "../src/runtime/swarm/types.js";
import { dockerdSkipReason, startPrivateDockerd } from "./support/dockerd.js";

const owner = `orpf-${randomBytes(3).toString("hex")}`;
const loopbackRegistry = { address: "127.0.0.1:8601", tls: false };

describe("swarm preflight against a real dockerd", { skip: dockerdSkipReason() }, () => {
  it("a daemon outside any swarm: says so and how to make one", async () => {
    const d = await startPrivateDockerd();
    try {
      const { facts, problems } = await checkSwarm(d.api, { owner, registry: loopbackRegistry });
      assert.deepEqual(problems.map((p) => p.code), ["NoSwarm"]);
      assert.match(problems[0]?.fix ?? "", /docker swarm init --advertise-addr/);
      assert.equal(facts.nodes, undefined, "a daemon outside a swarm is not asked for nodes");
      assert.equal(facts.overlay, undefined, "nor probed for overlays");
    } finally {
      await d.stop();
    }
  });

  it("a single-node swarm on 127.0.0.1 with a loopback registry: no problem, and no probe network left", async () => {
    const d = await startPrivateDockerd({ swarm: true });
    try {
      const networks = async (): Promise<string[]> => (await d.api.call<{ Name: string }[]>({ path: "/networks" })).map((n) => n.Name);
      // A probe a crashed control plane left behind does not stop the next check.
      await d.api.call({ method: "POST", path: "/networks/create", body: { Name: `${owner}-preflight`, Driver: "overlay", Attachable: true, CheckDuplicate: true, Labels: { [LABELS.owner]: owner } } });

      const { facts, problems } = await checkSwarm(d.api, { owner, registry: loopbackRegistry });
      assert.deepEqual(problems, []);
      assert.deepEqual(facts.overlay, { ok: true });
      assert.equal(facts.nodes?.length, 1);
      assert.equal(facts.nodes?.[0]?.Status?.Addr, "127.0.0.1");
      assert.equal(facts.info.Swarm?.NodeAddr, "127.0.0.1");
      assert.equal((await networks()).includes(`${owner}-preflight`), false);

      // The same daemon judged for a registry the nodes would reach over plain HTTP, not in its insecure registries.
      const plain = await checkSwarm(d.api, { owner, registry: { address: "10.0.0.1:8601", tls: false } });
      assert.deepEqual(plain.problems.map((p) => p.code), ["RegistryNotTrusted"]);
      assert.deepEqual(plain.facts.info.RegistryConfig?.InsecureRegistryCIDRs, ["127.0.0.0/8"]);

      // Its only node drained: nothing can be placed.
      const [node] = await d.api.call<{ ID: string; Version: { Index: number }; Spec: Record<string, unknown> }[]>({ path: "/nodes" });
      assert.ok(node);
      await d.api.call({ method: "POST", path: `/nodes/${node.ID}/update`, query: { version: node.Version.Index }, body: { ...node.Spec, Availability: "drain" } });
      const drained = await checkSwarm(d.api, { owner, registry: loopbackRegistry });
      assert.deepEqual(drained.problems.map((p) => [p.code, p.severity]), [["NoNodeAvailable", "blocking"], ["NodeNotActive", "warning"]]);
    } finally {
      await d.stop();
    }
  });
});
