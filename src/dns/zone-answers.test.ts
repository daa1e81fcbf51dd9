import assert from "node:assert/strict";
import { describe, it } from "node:test";
import dnsPacket, { type OptAnswer, type Packet } from "dns-packet";
import { answerQuery, formatError, NEGATIVE_TTL, RCODE, truncated, TXT_TTL, udpPayloadLimit, type ZoneContents } from "./zone-answers.js";

const contents: ZoneContents = {
  zone: "acme.example.net",
  nameserver: "ns.acme.example.net",
  serial: 7,
  txt: new Map([
    ["abc.acme.example.net", new Set(["token-1", "token-2"])],
    ["deep.below.acme.example.net", new Set(["token-3"])],
  ]),
};

/** A query as the wire gives it (decoded from its bytes, as the server sees it). */
function query(name: string, type: string, extra: Partial<Packet> = {}): ReturnType<typeof dnsPacket.decode> {
  const packet = { type: "query", id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: "IN" }], ...extra } as Packet;
  return dnsPacket.decode(dnsPacket.encode(packet));
}

function rcodeOf(p: Packet | undefined): number {
  return (p?.flags ?? -1) & 0xf;
}

describe("the challenge zone's answers", () => {
  const cases: { name: string; q: ReturnType<typeof query>; rcode: number; aa: boolean; answers: string[]; soaAuthority: boolean }[] = [
    { name: "TXT values at a name", q: query("abc.acme.example.net", "TXT"), rcode: RCODE.NOERROR, aa: true, answers: ["TXT token-1", "TXT token-2"], soaAuthority: false },
    { name: "case-insensitive, trailing dot", q: query("ABC.Acme.Example.NET.", "TXT"), rcode: RCODE.NOERROR, aa: true, answers: ["TXT token-1", "TXT token-2"], soaAuthority: false },
    { name: "another type at a TXT name: NODATA", q: query("abc.acme.example.net", "A"), rcode: RCODE.NOERROR, aa: true, answers: [], soaAuthority: true },
    { name: "CNAME at a TXT name: NODATA", q: query("abc.acme.example.net", "CNAME"), rcode: RCODE.NOERROR, aa: true, answers: [], soaAuthority: true },
    { name: "an empty non-terminal: NODATA", q: query("below.acme.example.net", "TXT"), rcode: RCODE.NOERROR, aa: true, answers: [], soaAuthority: true },
    { name: "the nameserver's name exists", q: query("ns.acme.example.net", "TXT"), rcode: RCODE.NOERROR, aa: true, answers: [], soaAuthority: true },
    { name: "an unknown name: NXDOMAIN", q: query("nope.acme.example.net", "TXT"), rcode: RCODE.NXDOMAIN, aa: true, answers: [], soaAuthority: true },
    { name: "a name below a TXT name: NXDOMAIN", q: query("x.abc.acme.example.net", "TXT"), rcode: RCODE.NXDOMAIN, aa: true, answers: [], soaAuthority: true },
    { name: "SOA at the apex", q: query("acme.example.net", "SOA"), rcode: RCODE.NOERROR, aa: true, answers: ["SOA ns.acme.example.net"], soaAuthority: false },
    { name: "NS at the apex", q: query("acme.example.net", "NS"), rcode: RCODE.NOERROR, aa: true, answers: ["NS ns.acme.example.net"], soaAuthority: false },
    { name: "ANY at the apex", q: query("acme.example.net", "ANY"), rcode: RCODE.NOERROR, aa: true, answers: ["SOA ns.acme.example.net", "NS ns.acme.example.net"], soaAuthority: false },
    { name: "outside the zone: REFUSED", q: query("example.com", "TXT"), rcode: RCODE.REFUSED, aa: false, answers: [], soaAuthority: false },
    { name: "the zone's parent: REFUSED", q: query("example.net", "NS"), rcode: RCODE.REFUSED, aa: false, answers: [], soaAuthority: false },
    { name: "a look-alike suffix: REFUSED", q: query("xacme.example.net", "TXT"), rcode: RCODE.REFUSED, aa: false, answers: [], soaAuthority: false },
    { name: "a zone transfer: NOTIMP", q: query("acme.example.net", "AXFR"), rcode: RCODE.NOTIMP, aa: false, answers: [], soaAuthority: false },
    { name: "the CHAOS class: NOTIMP", q: query("version.bind", "TXT", { questions: [{ name: "acme.example.net", type: "TXT", class: "CH" }] }), rcode: RCODE.NOTIMP, aa: false, answers: [], soaAuthority: false },
    { name: "no question: FORMERR", q: query("x", "A", { questions: [] }), rcode: RCODE.FORMERR, aa: false, answers: [], soaAuthority: false },
    {
      name: "two questions: FORMERR",
      q: query("x", "A", { questions: [{ name: "abc.acme.example.net", type: "TXT" }, { name: "acme.example.net", type: "SOA" }] }),
      rcode: RCODE.FORMERR, aa: false, answers: [], soaAuthority: false,
    },
    { name: "opcode STATUS: NOTIMP", q: query("abc.acme.example.net", "TXT", { flags: 2 << 11 }), rcode: RCODE.NOTIMP, aa: false, answers: [], soaAuthority: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = answerQuery(c.q, contents);
      assert.ok(r);
      assert.equal(rcodeOf(r), c.rcode);
      assert.equal(((r.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER) !== 0, c.aa);
      assert.equal(r.id, 42);
      assert.equal(((r.flags ?? 0) & dnsPacket.RECURSION_DESIRED) !== 0, ((c.q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) !== 0, "RD echoed");
      // Through the wire and back, as the asker reads it.
      const wire = dnsPacket.decode(dnsPacket.encode(r));
      const answers = (wire.answers ?? []).map((a) =>
        a.type === "OPT" ? "OPT" : a.type === "TXT" ? `TXT ${(a.data as Buffer[]).join("")}` : a.type === "SOA" ? `SOA ${a.data.mname}` : `${a.type} ${String(a.data)}`,
      );
      assert.deepEqual(answers.sort(), [...c.answers].sort());
      const soa = (wire.authorities ?? []).find((a) => a.type === "SOA");
      assert.equal(soa !== undefined, c.soaAuthority);
      if (soa && soa.type === "SOA") {
        assert.equal(soa.ttl, NEGATIVE_TTL);
        assert.equal(soa.data.minimum, NEGATIVE_TTL);
        assert.equal(soa.data.serial, 7);
      }
      for (const a of wire.answers ?? []) if (a.type === "TXT") assert.equal(a.ttl, TXT_TTL);
    });
  }

  it("drops responses sent to it", () => {
    assert.equal(answerQuery(query("abc.acme.example.net", "TXT", { type: "response" }), contents), undefined);
  });

  it("splits a TXT value longer than 255 bytes into character-strings", () => {
    const long = "x".repeat(300);
    const r = answerQuery(query("long.acme.example.net", "TXT"), { ...contents, txt: new Map([["long.acme.example.net", new Set([long])]]) });
    const txt = dnsPacket.decode(dnsPacket.encode(r ?? {})).answers?.[0];
    assert.ok(txt && txt.type === "TXT");
    assert.deepEqual((txt.data as Buffer[]).map((b) => b.length), [255, 45]);
  });

  it("answers EDNS with EDNS, and EDNS versions past 0 with BADVERS", () => {
    const opt: OptAnswer = { type: "OPT", name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
    const r = answerQuery(query("abc.acme.example.net", "TXT", { additionals: [opt] }), contents);
    assert.equal(r?.additionals?.[0]?.type, "OPT");
    const v1 = answerQuery(query("abc.acme.example.net", "TXT", { additionals: [{ ...opt, ednsVersion: 1 }] }), contents);
    const o = v1?.additionals?.[0];
    assert.ok(o && o.type === "OPT");
    assert.equal(o.extendedRcode, 1);
    assert.equal(v1?.answers?.length, 0);
  });

  it("a UDP answer is sized to the asker's EDNS size within [512, 1232], and truncation keeps the question with TC", () => {
    const opt = (udpPayloadSize: number): Packet => ({ additionals: [{ type: "OPT", name: ".", udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    assert.equal(udpPayloadLimit({}), 512);
    assert.equal(udpPayloadLimit(opt(4096)), 1232);
    assert.equal(udpPayloadLimit(opt(100)), 512);
    assert.equal(udpPayloadLimit(opt(1000)), 1000);
    const r = answerQuery(query("abc.acme.example.net", "TXT"), contents);
    assert.ok(r);
    const t = dnsPacket.decode(dnsPacket.encode(truncated(r)));
    assert.equal(t.flag_tc, true);
    assert.equal(t.answers?.length, 0);
    assert.equal(t.questions?.[0]?.name, "abc.acme.example.net");
  });

  it("FORMERR for bytes with a header but no message; nothing without a header or to a response", () => {
    const junk = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x05]), Buffer.alloc(10, 0xff)]);
    const r = formatError(junk);
    assert.equal(r?.id, 0x1234);
    assert.equal(rcodeOf(r), RCODE.FORMERR);
    assert.equal(formatError(Buffer.from([1, 2, 3])), undefined);
    const response = Buffer.from(junk);
    response[2] = 0x81;
    assert.equal(formatError(response), undefined);
  });
});
