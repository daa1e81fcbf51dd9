import assert from "node:assert/strict";
import dgram from "node:dgram";
import { after, before, describe, it } from "node:test";
import dnsPacket, { type Answer } from "dns-packet";
import { createRecordChecker } from "./record-checker.js";
import type { DnsRecordChecker, RecordCheck } from "./types.js";

/** The world's DNS for these tests: what a recursive resolver would answer, CNAMEs followed. */
interface WorldRecord {
  CNAME?: string;
  A?: string[];
  AAAA?: string[];
  TXT?: string[];
  servfail?: boolean;
}

const WORLD: Record<string, WorldRecord> = {
  "_acme-challenge.ok.example.com": { CNAME: "ABC.acme.example.net." },
  "_acme-challenge.wrong.example.com": { CNAME: "other.example.org" },
  "_acme-challenge.txt.example.com": { TXT: ["left over"] },
  "_acme-challenge.broken.example.com": { servfail: true },
  "app.example.com": { CNAME: "svc.apps.openrunner.test" },
  "svc.apps.openrunner.test": { A: ["127.0.0.10"] },
  "a.example.com": { A: ["127.0.0.10", "127.0.0.11"] },
  "v6.example.com": { AAAA: ["0:0:0:0:0:0:0:1"] },
  "mixed.example.com": { A: ["127.0.0.10"], AAAA: ["2001:db8::5"] },
  "elsewhere.example.com": { A: ["192.0.2.7"] },
  "own-lb.example.com": { CNAME: "lb.example.com" },
  "lb.example.com": { A: ["127.0.0.11"] },
  "via-wrong.example.com": { CNAME: "far.example.org" },
  "far.example.org": { A: ["198.51.100.1"] },
  "dangling.example.com": { CNAME: "gone.example.org" },
};

/** A tiny recursive-resolver stand-in: a dgram server built with dns-packet, answering from WORLD. */
async function startWorld(): Promise<{ port: number; socket: dgram.Socket }> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    const q = query.questions?.[0];
    if (!q) return;
    const answers: Answer[] = [];
    let name = q.name.toLowerCase();
    let record = WORLD[name];
    let rcode = record ? 0 : 3;
    if (record?.servfail) rcode = 2;
    // Like any resolver: a CNAME answers every type but CNAME itself by being followed.
    while (record?.CNAME && q.type !== "CNAME") {
      answers.push({ type: "CNAME", name, ttl: 1, data: record.CNAME });
      name = record.CNAME.toLowerCase().replace(/\.$/, "");
      record = WORLD[name];
      rcode = record ? 0 : 3;
    }
    if (record && rcode === 0) {
      if (q.type === "CNAME" && record.CNAME) answers.push({ type: "CNAME", name, ttl: 1, data: record.CNAME });
      if (q.type === "A") for (const a of record.A ?? []) answers.push({ type: "A", name, ttl: 1, data: a });
      if (q.type === "AAAA") for (const a of record.AAAA ?? []) answers.push({ type: "AAAA", name, ttl: 1, data: a });
      if (q.type === "TXT") for (const t of record.TXT ?? []) answers.push({ type: "TXT", name, ttl: 1, data: t });
    }
    const response = dnsPacket.encode({ type: "response", id: query.id, flags: dnsPacket.RECURSION_AVAILABLE | rcode, questions: query.questions, answers });
    socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, socket };
}

/** A resolver address that takes queries and never answers: the checker's timeout is what ends them. */
async function startSilent(): Promise<{ port: number; socket: dgram.Socket }> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", () => {});
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, socket };
}

type Expect = { ok: true; found?: string[] } | { ok: false; problem: "missing" | "wrong" | "lookup-failed"; message: string | RegExp };

function assertCheck(got: RecordCheck, want: Expect, label: string): void {
  assert.equal(got.ok, want.ok, `${label}: ${JSON.stringify(got)}`);
  if (want.ok) {
    if (want.found) assert.deepEqual(got.found, want.found, label);
    return;
  }
  assert.ok(!got.ok);
  assert.equal(got.problem, want.problem, `${label}: ${got.message}`);
  if (typeof want.message === "string") assert.equal(got.message, want.message, label);
  else assert.match(got.message, want.message, label);
}

describe("the DNS record checker", () => {
  let world: { port: number; socket: dgram.Socket };
  let silent: { port: number; socket: dgram.Socket };
  let checker: DnsRecordChecker;

  before(async () => {
    world = await startWorld();
    silent = await startSilent();
    checker = createRecordChecker({ resolvers: [`127.0.0.1:${world.port}`], timeoutMs: 1_000, tries: 1 });
  });
  after(() => {
    world.socket.close();
    silent.socket.close();
  });

  describe("checkCname", () => {
    const target = "abc.acme.example.net";
    const cases: { name: string; record: string; want: Expect }[] = [
      {
        name: "missing",
        record: "_acme-challenge.example.com",
        want: {
          ok: false,
          problem: "missing",
          message: "_acme-challenge.example.com has no CNAME record. Create it: _acme-challenge.example.com CNAME abc.acme.example.net",
        },
      },
      {
        name: "missing, other records in the way",
        record: "_acme-challenge.txt.example.com",
        want: { ok: false, problem: "missing", message: /has no CNAME record \(if the name has records of other types, remove them: a CNAME cannot sit beside them\)\. Create it: _acme-challenge\.txt\.example\.com CNAME abc\.acme\.example\.net$/ },
      },
      {
        name: "wrong",
        record: "_acme-challenge.wrong.example.com",
        want: {
          ok: false,
          problem: "wrong",
          message:
            "_acme-challenge.wrong.example.com has a CNAME record to other.example.org, not to abc.acme.example.net. Change it to: _acme-challenge.wrong.example.com CNAME abc.acme.example.net",
        },
      },
      { name: "ok, case and trailing dots ignored", record: "_ACME-challenge.ok.example.com.", want: { ok: true, found: ["abc.acme.example.net"] } },
      { name: "SERVFAIL", record: "_acme-challenge.broken.example.com", want: { ok: false, problem: "lookup-failed", message: /answered SERVFAIL/ } },
    ];
    for (const c of cases) {
      it(c.name, async () => assertCheck(await checker.checkCname(c.record, `${target}.`), c.want, c.name));
    }

    it("a resolver that never answers: lookup-failed naming it, within the checker's timeout", async () => {
      const quiet = createRecordChecker({ resolvers: [`127.0.0.1:${silent.port}`], timeoutMs: 200, tries: 1 });
      const got = await quiet.checkCname("_acme-challenge.example.com", target);
      assertCheck(got, { ok: false, problem: "lookup-failed", message: new RegExp(`through 127\\.0\\.0\\.1:${silent.port} failed: no answer in time`) }, "silent");
    });

    it("a resolver address where nothing listens: lookup-failed naming it", async () => {
      const probe = dgram.createSocket("udp4");
      await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
      const port = probe.address().port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const nobody = createRecordChecker({ resolvers: [`127.0.0.1:${port}`], timeoutMs: 200, tries: 1 });
      const got = await nobody.checkCname("_acme-challenge.example.com", target);
      assertCheck(got, { ok: false, problem: "lookup-failed", message: new RegExp(`through 127\\.0\\.0\\.1:${port} failed: `) }, "closed port");
    });

    it("the SERVFAIL message names the resolver", async () => {
      const got = await checker.checkCname("_acme-challenge.broken.example.com", target);
      assert.ok(!got.ok && got.message.includes(`127.0.0.1:${world.port}`), JSON.stringify(got));
    });
  });

  describe("checkPointsAt", () => {
    const to = { cnameTargets: ["svc.apps.openrunner.test"], addresses: ["127.0.0.10", "127.0.0.11", "::1"] };
    const cases: { name: string; record: string; want: Expect }[] = [
      { name: "a CNAME to the service's host", record: "App.example.com.", want: { ok: true, found: ["CNAME svc.apps.openrunner.test"] } },
      { name: "A records all on the data plane", record: "a.example.com", want: { ok: true, found: ["127.0.0.10", "127.0.0.11"] } },
      { name: "AAAA on the data plane, written differently", record: "v6.example.com", want: { ok: true } },
      { name: "a CNAME to the user's own name that resolves to the data plane", record: "own-lb.example.com", want: { ok: true, found: ["CNAME lb.example.com", "127.0.0.11"] } },
      {
        name: "an AAAA record elsewhere beside a right A record",
        record: "mixed.example.com",
        want: { ok: false, problem: "wrong", message: /^mixed\.example\.com resolves to 2001:db8::5, which is not the data plane\. Point it at the data plane with a CNAME record to svc\.apps\.openrunner\.test, or A\/AAAA records to 127\.0\.0\.10, 127\.0\.0\.11, ::1 only\.$/ },
      },
      { name: "A records elsewhere", record: "elsewhere.example.com", want: { ok: false, problem: "wrong", message: /resolves to 192\.0\.2\.7, which is not the data plane/ } },
      { name: "a CNAME elsewhere", record: "via-wrong.example.com", want: { ok: false, problem: "wrong", message: /resolves \(through its CNAME to far\.example\.org\) to 198\.51\.100\.1/ } },
      { name: "a dangling CNAME", record: "dangling.example.com", want: { ok: false, problem: "wrong", message: /has a CNAME to gone\.example\.org, which has no A or AAAA records/ } },
      { name: "nothing", record: "nothing.example.com", want: { ok: false, problem: "missing", message: /^nothing\.example\.com has no CNAME, A or AAAA record\. Point it at the data plane/ } },
      { name: "SERVFAIL", record: "_acme-challenge.broken.example.com", want: { ok: false, problem: "lookup-failed", message: /answered SERVFAIL/ } },
    ];
    for (const c of cases) {
      it(c.name, async () => assertCheck(await checker.checkPointsAt(c.record, to), c.want, c.name));
    }
  });
});
