import assert from "node:assert/strict";
import { test } from "node:test";
import { BLOCKED_RANGES } from "./egress.js";
import { firewallRuleset, gatewayServiceTo, type HostNetworkFacts } from "./firewall.js";
import type { HostLayout } from "./types.js";

const layout: HostLayout = { prefix: "orab1", addressBlock: 207, instancesDir: "/tmp/x", egress: false };
const facts: HostNetworkFacts = { resolver: "10.255.255.53", hostNetworks: ["192.0.2.0/24", "10.1.0.0/16"] };

/** The rules of one chain, one per line, without indentation. */
function chain(rules: string, name: string): string[] {
  const m = new RegExp(`chain ${name} \\{\\n([\\s\\S]*?)\\n  \\}`).exec(rules);
  assert.ok(m?.[1] !== undefined, `chain ${name}`);
  return m[1].split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

test("firewallRuleset: replaces its own table atomically; new connections to the host and between namespaces are refused", () => {
  const rules = firewallRuleset(layout, facts);
  assert.match(rules, /^table inet orab1\ndelete table inet orab1\ntable inet orab1 \{/);
  assert.deepEqual(chain(rules, "input").slice(1), [
    'iifname "orab1h*" ct state established,related accept',
    'iifname "orab1h*" ip saddr 100.115.255.0/24 ct status dnat meta l4proto { tcp, udp } th dport 53 accept',
    'iifname "orab1h*" meta l4proto tcp counter name "host" reject with tcp reset',
    'iifname "orab1h*" counter name "host" reject with icmpx admin-prohibited',
  ]);
  const forward = chain(rules, "forward");
  assert.deepEqual(forward.slice(1, 3), [
    'iifname "orab1h*" oifname "orab1h*" meta l4proto tcp counter name "peers" reject with tcp reset',
    'iifname "orab1h*" oifname "orab1h*" counter name "peers" reject with icmpx admin-prohibited',
  ]);
  assert.ok(forward.includes('oifname "orab1h*" counter name "inbound" drop'), "nothing forwarded into a namespace unasked");
});

test("firewallRuleset: egress off lets only the build slots out; on, every namespace of the block", () => {
  const off = chain(firewallRuleset(layout, facts), "forward");
  assert.ok(off.includes('iifname "orab1h*" ip saddr != 100.115.255.0/24 counter name "egress_off" reject with icmpx admin-prohibited'));
  assert.ok(off.includes('iifname "orab1h*" ip saddr != 100.115.255.0/24 meta l4proto tcp counter name "egress_off" reject with tcp reset'));
  const on = chain(firewallRuleset({ ...layout, egress: true }, facts), "forward");
  assert.ok(on.includes('iifname "orab1h*" ip saddr != 100.115.192.0/18 counter name "egress_off" reject with icmpx admin-prohibited'));
  for (const rules of [firewallRuleset(layout, facts), firewallRuleset({ ...layout, egress: true }, facts)]) {
    assert.deepEqual(chain(rules, "postrouting").slice(1), ['ip saddr 100.115.192.0/18 oifname != "orab1h*" masquerade']);
  }
});

test("firewallRuleset: private, link-local, reserved and the host's networks are refused; DNS goes to the host's resolver", () => {
  const rules = firewallRuleset({ ...layout, egress: true }, facts);
  const set = /set blocked4 \{[^}]*elements = \{ ([^}]*) \}/.exec(rules)?.[1]?.split(", ");
  // The fixed ranges plus the host's LAN; its 10.1.0.0/16 is inside 10.0.0.0/8 already.
  assert.equal(set?.length, BLOCKED_RANGES.length + 1);
  for (const range of ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "192.0.2.0/24", "224.0.0.0/3"]) {
    assert.ok(set?.includes(range), range);
  }
  assert.ok(!set?.includes("10.1.0.0/16"));
  const forward = chain(rules, "forward");
  const at = (rule: string): number => {
    const i = forward.indexOf(rule);
    assert.ok(i >= 0, rule);
    return i;
  };
  const dns = at('iifname "orab1h*" ct status dnat ip daddr 10.255.255.53 meta l4proto { tcp, udp } th dport 53 accept');
  const blocked = at('iifname "orab1h*" ip daddr @blocked4 counter name "blocked" reject with icmpx admin-prohibited');
  const v6 = at('iifname "orab1h*" meta nfproto ipv6 counter name "blocked" reject with icmpx admin-prohibited');
  assert.ok(dns < blocked, "the resolver may be private");
  assert.ok(forward.includes('iifname "orab1h*" ip daddr @blocked4 meta l4proto tcp counter name "blocked" reject with tcp reset'));
  assert.ok(v6 < blocked && blocked === forward.length - 2 && forward.at(-1) === 'iifname "orab1h*" accept');
  assert.deepEqual(chain(rules, "dns").slice(1), [
    'iifname "orab1h*" ip saddr 100.115.192.0/18 ip daddr 100.64.0.1 meta l4proto { tcp, udp } th dport 53 dnat ip to 10.255.255.53',
  ]);
});

test("firewallRuleset: --egress-allow ranges pass before the refusals; no resolver, no DNS rules", () => {
  const rules = firewallRuleset({ ...layout, egress: true, egressAllow: ["10.20.0.0/16", "10.20.30.0/24"] }, { hostNetworks: [] });
  assert.match(rules, /set allowed4 \{[^}]*elements = \{ 10\.20\.0\.0\/16 \}/);
  const forward = chain(rules, "forward");
  assert.ok(forward.indexOf('iifname "orab1h*" ip daddr @allowed4 accept') < forward.findIndex((r) => r.includes("@blocked4")));
  assert.doesNotMatch(rules, /dport 53/);
  assert.doesNotMatch(firewallRuleset(layout, facts), /allowed4/);
});

test("firewallRuleset: with a gateway service, instances (not builds) reach it on their gateway's port only, through a DNAT", () => {
  const gateway = { port: 80, address: "127.0.0.1", targetPort: 8600 };
  const rules = firewallRuleset({ ...layout, egress: true }, facts, gateway);
  assert.deepEqual(chain(rules, "gateway").slice(1), [
    'iifname "orab1h*" ip saddr 127.207.0.0-127.207.251.255 ip daddr 127.207.0.0/16 tcp dport 80 dnat ip to 127.0.0.1:8600',
  ]);
  const input = chain(rules, "input");
  const open = input.indexOf('iifname "orab1h*" ip saddr 127.207.0.0-127.207.251.255 ct status dnat ip daddr 127.0.0.1 tcp dport 8600 accept');
  assert.ok(open > 0 && open < input.findIndex((r) => r.includes('counter name "host"')), "accepted before the host's refusal");
  // Nothing else of the host opens: the same rules as without a gateway, plus these two.
  const without = firewallRuleset({ ...layout, egress: true }, facts);
  assert.deepEqual(input.filter((r) => !r.includes("tcp dport 8600")), chain(without, "input"));
  assert.doesNotMatch(without, /chain gateway/);
});

test("gatewayServiceTo: any address or loopback is reached on 127.0.0.1; another IPv4 address as it is; IPv6 not at all", () => {
  const cases: [string, ReturnType<typeof gatewayServiceTo>][] = [
    ["127.0.0.1", { port: 80, address: "127.0.0.1", targetPort: 8600 }],
    ["0.0.0.0", { port: 80, address: "127.0.0.1", targetPort: 8600 }],
    ["::", { port: 80, address: "127.0.0.1", targetPort: 8600 }],
    ["localhost", { port: 80, address: "127.0.0.1", targetPort: 8600 }],
    ["192.0.2.10", { port: 80, address: "192.0.2.10", targetPort: 8600 }],
    ["::1", undefined],
    ["example.test", undefined],
  ];
  for (const [host, want] of cases) assert.deepEqual(gatewayServiceTo(host, 8600), want, host);
});
