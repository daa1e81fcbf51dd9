import assert from "node:assert/strict";
import { test } from "node:test";
import { FIRST_BUILD_SLOT, LAST_SLOT, MAX_SLOT, instanceSideRange, networkForSlot } from "./network.js";
import type { HostLayout } from "./types.js";

const layout: HostLayout = { prefix: "or3f2a", addressBlock: 202, instancesDir: "/tmp/x", egress: false };

test("networkForSlot: /30 per slot inside 127.<block>.0.0/16, host .1 and instance .2, egress from 100.64.0.0/10", () => {
  const cases: [number, string, string, string, string, string][] = [
    [1, "127.202.0.5", "127.202.0.6", "or3f2a-n1", "or3f2ah1", "100.114.128.1"],
    [63, "127.202.0.253", "127.202.0.254", "or3f2a-n63", "or3f2ah63", "100.114.128.63"],
    [64, "127.202.1.1", "127.202.1.2", "or3f2a-n64", "or3f2ah64", "100.114.128.64"],
    [1000, "127.202.15.161", "127.202.15.162", "or3f2a-n1000", "or3f2ah1000", "100.114.131.232"],
    [16383, "127.202.255.253", "127.202.255.254", "or3f2a-n16383", "or3f2ah16383", "100.114.191.255"],
  ];
  for (const [slot, hostAddress, instanceAddress, netns, hostInterface, egressAddress] of cases) {
    assert.deepEqual(networkForSlot(layout, slot), { slot, netns, hostInterface, hostAddress, instanceAddress, egressAddress });
  }
});

test("networkForSlot: interface names fit IFNAMSIZ (15 chars) at the longest prefix and slot", () => {
  assert.ok(networkForSlot(layout, 16383).hostInterface.length <= 15);
});

test("networkForSlot: rejects slots outside 1..16383 and bad prefixes", () => {
  for (const slot of [0, -1, 16384, 1.5]) {
    assert.throws(() => networkForSlot(layout, slot), { name: "AppRunnerError", code: "HostSetupFailed" });
  }
  assert.throws(() => networkForSlot({ ...layout, prefix: "Bad-One" }, 1), { code: "HostSetupFailed" });
});

test("slots: instances take 1..16127, builds the last 256 (one /24 of egress addresses)", () => {
  assert.equal(MAX_SLOT + 1, FIRST_BUILD_SLOT);
  assert.equal(LAST_SLOT - FIRST_BUILD_SLOT + 1, 256);
  assert.equal(networkForSlot(layout, FIRST_BUILD_SLOT).egressAddress, "100.114.191.0");
});

test("instanceSideRange: every instance slot's 127/8 addresses, none of a build slot's", () => {
  const block207: HostLayout = { ...layout, addressBlock: 207 };
  assert.equal(instanceSideRange(207), "127.207.0.0-127.207.251.255");
  assert.equal(networkForSlot(block207, MAX_SLOT).instanceAddress, "127.207.251.254");
  assert.equal(networkForSlot(block207, FIRST_BUILD_SLOT).instanceAddress, "127.207.252.2");
});
