import assert from "node:assert/strict";
import dgram from "node:dgram";
import { promises as dns } from "node:dns";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import dnsPacket, { type DecodedPacket } from "dns-packet";
import { createChallengeZone, parseListen } from "./challenge-zone.js";
import { createRecordChecker } from "./record-checker.js";
import { frame, TcpFrameReader } from "./tcp-frames.js";
import type { ChallengeZone } from "./types.js";

const ZONE = "acme.openrunner.test";
/** Every wait on a socket is bounded: a broken server fails the test, never hangs it. */
const WAIT_MS = 5_000;

function errorCode(err: unknown): string {
  return err instanceof Error && "code" in err ? String(err.code) : String(err);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return errorCode(err);
  }
}

/** One UDP exchange: the first datagram back, or undefined when none comes in time. */
async function udpExchange(port: number, bytes: Buffer, waitMs = WAIT_MS): Promise<Buffer | undefined> {
  const socket = dgram.createSocket("udp4");
  try {
    return await new Promise<Buffer | undefined>((resolve, reject) => {
      const timer = setTimeout(() => resolve(undefined), waitMs);
      socket.on("error", reject);
      socket.on("message", (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      socket.send(bytes, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

/** Connects, writes, and reads framed answers until `count` arrived or the server closed. */
async function tcpExchange(port: number, bytes: Buffer, count: number): Promise<{ answers: DecodedPacket[]; closed: boolean }> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  const reader = new TcpFrameReader();
  const answers: DecodedPacket[] = [];
  try {
    const closed = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no TCP answer in time")), WAIT_MS);
      socket.on("error", reject);
      socket.on("close", () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on("data", (chunk: Buffer) => {
        for (const f of reader.push(chunk)) answers.push(dnsPacket.decode(f));
        if (answers.length >= count) {
          clearTimeout(timer);
          resolve(false);
        }
      });
      socket.write(bytes);
    });
    return { answers, closed };
  } finally {
    socket.destroy();
  }
}

describe("the challenge zone server", () => {
  const logs: { message: string; fields?: Record<string, unknown> }[] = [];
  let zone: ChallengeZone;
  let port = 0;
  let resolver: dns.Resolver;

  before(async () => {
    zone = createChallengeZone({ zone: ZONE, listen: "127.0.0.1:0" }, { logger: (message, fields) => logs.push({ message, fields }), tcpIdleMs: 500 });
    await zone.start();
    const address = zone.address();
    assert.ok(address);
    assert.equal(address.host, "127.0.0.1");
    port = address.port;
    assert.ok(port > 0);
    resolver = new dns.Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
  });
  after(async () => {
    await zone.stop();
    assert.equal(zone.address(), undefined);
  });

  it("serves the TXT values added at a name, several at once, case-insensitively, and stops serving removed ones", async () => {
    zone.addTxt("_X1.Acme.OpenRunner.test.", "value-a");
    zone.addTxt("_x1.acme.openrunner.test", "value-b");
    zone.addTxt("_x1.acme.openrunner.test", "value-b");
    const both = await resolver.resolveTxt("_x1.ACME.openrunner.test");
    assert.deepEqual(both.map((chunks) => chunks.join("")).sort(), ["value-a", "value-b"]);
    zone.removeTxt("_x1.acme.openrunner.test", "value-a");
    assert.deepEqual(await resolver.resolveTxt("_x1.acme.openrunner.test"), [["value-b"]]);
    zone.removeTxt("_X1.acme.openrunner.test.", "value-b");
    assert.equal(await codeOf(resolver.resolveTxt("_x1.acme.openrunner.test")), "ENOTFOUND");
  });

  it("tells NXDOMAIN (no such name) from NODATA (the name has other records), with the zone's SOA and a 1 s negative TTL", async () => {
    zone.addTxt("t.below.acme.openrunner.test", "v");
    try {
      assert.equal(await codeOf(resolver.resolve4("t.below.acme.openrunner.test")), "ENODATA");
      assert.equal(await codeOf(resolver.resolveTxt("below.acme.openrunner.test")), "ENODATA");
      assert.equal(await codeOf(resolver.resolveTxt("nothing.acme.openrunner.test")), "ENOTFOUND");
      const raw = await udpExchange(port, dnsPacket.encode({ type: "query", id: 9, questions: [{ name: "nothing.acme.openrunner.test", type: "TXT" }] }));
      assert.ok(raw);
      const answer = dnsPacket.decode(raw) as DecodedPacket & { rcode: string };
      assert.equal(answer.rcode, "NXDOMAIN");
      assert.equal(answer.flag_aa, true);
      const soa = answer.authorities?.[0];
      assert.ok(soa && soa.type === "SOA");
      assert.equal(soa.ttl, 1);
      assert.equal(soa.data.minimum, 1);
    } finally {
      zone.removeTxt("t.below.acme.openrunner.test", "v");
    }
  });

  it("answers SOA and NS at the apex (the nameserver ns.<zone> by default)", async () => {
    const soa = await resolver.resolveSoa(ZONE);
    assert.equal(soa.nsname, `ns.${ZONE}`);
    assert.equal(soa.minttl, 1);
    assert.deepEqual(await resolver.resolveNs(ZONE), [`ns.${ZONE}`]);
  });

  it("refuses names outside the zone", async () => {
    assert.equal(await codeOf(resolver.resolveTxt("example.com")), "EREFUSED");
    assert.equal(await codeOf(resolver.resolveTxt("openrunner.test")), "EREFUSED");
    assert.throws(() => zone.addTxt("example.com", "x"), /not in the challenge zone/);
  });

  it("answers over TCP with RFC 1035 framing, queries pipelined on one connection", async () => {
    zone.addTxt("tcp.acme.openrunner.test", "over-tcp");
    try {
      const q1 = dnsPacket.streamEncode({ type: "query", id: 1, questions: [{ name: "tcp.acme.openrunner.test", type: "TXT" }] });
      const q2 = dnsPacket.streamEncode({ type: "query", id: 2, questions: [{ name: "none.acme.openrunner.test", type: "TXT" }] });
      // Two queries in one write: each gets its own framed answer, in order.
      const bytes = Buffer.concat([q1, q2]);
      const { answers } = await tcpExchange(port, bytes, 2);
      assert.deepEqual(answers.map((a) => a.id), [1, 2]);
      const txt = answers[0]?.answers?.[0];
      assert.ok(txt && txt.type === "TXT");
      assert.equal((txt.data as Buffer[]).join(""), "over-tcp");
      assert.equal((answers[1] as DecodedPacket & { rcode: string }).rcode, "NXDOMAIN");
    } finally {
      zone.removeTxt("tcp.acme.openrunner.test", "over-tcp");
    }
  });

  it("sends TC on UDP when the answer is bigger than the asker takes, and the whole answer over TCP", async () => {
    const values = Array.from({ length: 20 }, (_, i) => `${"v".repeat(40)}-${i}`);
    for (const v of values) zone.addTxt("big.acme.openrunner.test", v);
    try {
      const raw = await udpExchange(port, dnsPacket.encode({ type: "query", id: 3, questions: [{ name: "big.acme.openrunner.test", type: "TXT" }] }));
      assert.ok(raw);
      assert.ok(raw.length <= 512);
      const udp = dnsPacket.decode(raw);
      assert.equal(udp.flag_tc, true);
      // node's resolver retries over TCP on TC, as every resolver does.
      const all = await resolver.resolveTxt("big.acme.openrunner.test");
      assert.deepEqual(all.map((c) => c.join("")).sort(), [...values].sort());
    } finally {
      for (const v of values) zone.removeTxt("big.acme.openrunner.test", v);
    }
  });

  it("survives malformed messages: FORMERR when a header is there, nothing otherwise, and goes on answering", async () => {
    zone.addTxt("alive.acme.openrunner.test", "still");
    try {
      assert.equal(await udpExchange(port, Buffer.from([1, 2, 3]), 300), undefined);
      const junk = Buffer.concat([Buffer.from([0xbe, 0xef, 0x01, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0]), Buffer.from([0x3f, 0x41])]);
      const formerr = await udpExchange(port, junk);
      assert.ok(formerr);
      const decoded = dnsPacket.decode(formerr) as DecodedPacket & { rcode: string };
      assert.equal(decoded.id, 0xbeef);
      assert.equal(decoded.rcode, "FORMERR");
      // A response sent to the server is dropped, not answered (answering responses can loop).
      const response = dnsPacket.encode({ type: "response", id: 5, questions: [{ name: "alive.acme.openrunner.test", type: "TXT" }] });
      assert.equal(await udpExchange(port, response, 300), undefined);
      // On TCP: a frame too short for a header ends that connection only.
      const tcp = await tcpExchange(port, frame(Buffer.from([1, 2, 3])), 1);
      assert.equal(tcp.closed, true);
      assert.deepEqual(tcp.answers, []);
      assert.deepEqual(await resolver.resolveTxt("alive.acme.openrunner.test"), [["still"]]);
      assert.ok(logs.some((l) => l.message.includes("malformed") && typeof l.fields?.from === "string"));
    } finally {
      zone.removeTxt("alive.acme.openrunner.test", "still");
    }
  });

  it("closes idle TCP connections", async () => {
    // Nothing is sent: the server's idle timeout (0.5 s here) ends it; the bound is WAIT_MS.
    const { closed } = await tcpExchange(port, Buffer.alloc(0), 1);
    assert.equal(closed, true);
  });

  it("the record checker sees the zone as users' resolvers do", async () => {
    zone.addTxt("_acme-challenge-target.acme.openrunner.test", "v");
    try {
      const checker = createRecordChecker({ resolvers: [`127.0.0.1:${port}`], timeoutMs: 1_000, tries: 1 });
      const nodata = await checker.checkCname("_acme-challenge-target.acme.openrunner.test", "x.acme.openrunner.test");
      assert.equal(nodata.ok, false);
      assert.ok(!nodata.ok && nodata.problem === "missing" && nodata.message.includes("remove them"), JSON.stringify(nodata));
      const refused = await checker.checkCname("_acme-challenge.example.com", "x.acme.openrunner.test");
      assert.ok(!refused.ok && refused.problem === "lookup-failed", JSON.stringify(refused));
      assert.ok(refused.message.includes(`127.0.0.1:${port}`), refused.message);
    } finally {
      zone.removeTxt("_acme-challenge-target.acme.openrunner.test", "v");
    }
  });
});

describe("the challenge zone's settings", () => {
  it("reads ip:port and [v6]:port, and nothing else", () => {
    assert.deepEqual(parseListen("127.0.0.1:53"), { host: "127.0.0.1", port: 53 });
    assert.deepEqual(parseListen("[::1]:0"), { host: "::1", port: 0 });
    for (const bad of ["localhost:53", "127.0.0.1", "127.0.0.1:70000", ":53", "::1:53"]) {
      assert.throws(() => parseListen(bad), /listen address/, bad);
    }
  });

  it("fails to start with DnsZoneFailed when the port is taken, and a custom nameserver shows in NS", async () => {
    const first = createChallengeZone({ zone: "Z.test.", listen: "127.0.0.1:0", nameserver: "ns1.example.net." }, { logger: () => {} });
    await first.start();
    try {
      const taken = first.address()?.port ?? 0;
      const second = createChallengeZone({ zone: "z.test", listen: `127.0.0.1:${taken}` }, { logger: () => {} });
      await assert.rejects(second.start(), (err: Error & { code?: string }) => err.code === "DnsZoneFailed" && err.message.includes(`127.0.0.1:${taken}`));
      assert.equal(second.address(), undefined);
      const r = new dns.Resolver({ timeout: 1_000, tries: 1 });
      r.setServers([`127.0.0.1:${taken}`]);
      assert.deepEqual(await r.resolveNs("z.test"), ["ns1.example.net"]);
      assert.equal(first.zone, "z.test");
    } finally {
      await first.stop();
    }
  });
});
