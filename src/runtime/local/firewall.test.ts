import assert from "node:assert/strict";
import { test } from "node:test";
import { firewallRuleset } from "./firewall.js";
import type { HostLayout } from "./types.js";

const layout: HostLayout = { prefix: "orab1", addressBlock: 207, instancesDir: "/tmp/x", egress: false };

test("firewallRuleset: replaces its own table atomically and blocks new connections from instances", () => {
  const rules = firewallRuleset(layout);
  assert.match(rules, /^table inet orab1\ndelete table inet orab1\ntable inet orab1 \{/);
  assert.match(rules, /hook input[^}]*iifname "orab1h\*" ct state established,related accept\n\s*iifname "orab1h\*" drop/);
  assert.match(rules, /iifname "orab1h\*" oifname "orab1h\*" drop/);
  assert.doesNotMatch(rules, /masquerade/);
});

test("firewallRuleset: egress on NATs the instance block and forwards new connections out", () => {
  const rules = firewallRuleset({ ...layout, egress: true });
  assert.match(rules, /ip saddr 127\.207\.0\.0\/16 oifname != "orab1h\*" masquerade/);
  assert.match(rules, /hook forward[^}]*iifname "orab1h\*" accept/);
});
