import assert from "node:assert/strict";
import { test } from "node:test";
import {
  RESOLVER_ADDRESS,
  cidrContains,
  egressAddress,
  egressCidr,
  firstIpv4Nameserver,
  mergeCidrs,
  namespaceResolvConf,
  parseCidr,
  parseResolvConf,
  slotRangeCidr,
} from "./egress.js";

test("egressAddress: one address per block and slot, blocks never overlap, block 0 stays free for the resolver", () => {
  const cases: [number, number, string][] = [
    [1, 1, "100.64.64.1"],
    [202, 1, "100.114.128.1"],
    [202, 16383, "100.114.191.255"],
    [203, 1, "100.114.192.1"],
    [254, 16383, "100.127.191.255"],
  ];
  for (const [block, slot, address] of cases) assert.equal(egressAddress(block, slot), address, `${block}/${slot}`);
  assert.equal(egressCidr(202), "100.114.128.0/18");
  assert.equal(slotRangeCidr(202, 16128), "100.114.191.0/24");
  assert.ok(!cidrContains(parseCidr(egressCidr(1)), parseCidr(RESOLVER_ADDRESS)));
  for (const block of [0, 255, 1.5]) assert.throws(() => egressAddress(block, 1), { code: "HostSetupFailed" });
  assert.throws(() => slotRangeCidr(202, 100), { code: "HostSetupFailed" });
});

test("parseCidr / mergeCidrs: normalised networks, contained and duplicate ranges dropped", () => {
  assert.deepEqual(parseCidr("192.0.2.77/24"), { base: 0xc0000200, bits: 24 });
  assert.deepEqual(parseCidr("8.8.8.8"), { base: 0x08080808, bits: 32 });
  for (const bad of ["10.0.0.0/33", "10.0.0/8", "300.1.1.1/8", "10.0.0.0/8/1", "::1/128", "10.0.0.0/"]) {
    assert.throws(() => parseCidr(bad), { code: "HostSetupFailed" }, bad);
  }
  assert.deepEqual(mergeCidrs(["10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "192.0.2.9/24", "0.0.0.0/8"]), ["0.0.0.0/8", "10.0.0.0/8", "192.0.2.0/24"]);
});

test("resolv.conf: namespaces ask the one resolver they can reach, with the host's search and options", () => {
  const host = parseResolvConf("# generated\nnameserver 127.0.0.53\nnameserver ::1\nsearch corp.example\noptions edns0 trust-ad\n");
  assert.deepEqual(host, { nameservers: ["127.0.0.53", "::1"], other: ["search corp.example", "options edns0 trust-ad"] });
  assert.equal(firstIpv4Nameserver(host), "127.0.0.53");
  assert.equal(firstIpv4Nameserver(parseResolvConf("nameserver fe80::1\n")), undefined);
  assert.equal(namespaceResolvConf(host), `nameserver ${RESOLVER_ADDRESS}\nsearch corp.example\noptions edns0 trust-ad\n`);
});
