import type { Answer, DecodedPacket, OptAnswer, Packet, SoaAnswer } from "dns-packet";
import { canonicalName, isWithin } from "./names.js";

/**
 * What the challenge zone answers to one query: a pure decision, table-tested, so the
 * transports (UDP, TCP) only frame bytes. TTLs are small on purpose: a TXT value the controller
 * just added must be seen by the CA's resolvers at once, and a miss must not be cached for long.
 */
export const TXT_TTL = 1;
export const NEGATIVE_TTL = 1;
export const ZONE_RECORD_TTL = 60;

/** The largest UDP answer sent (the DNS flag day 2020 size); bigger ones are truncated to TCP. */
export const MAX_UDP_PAYLOAD = 1232;
const CLASSIC_UDP_PAYLOAD = 512;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const OPCODE_MASK = 0x7800;

/** The zone's records as the server holds them (names canonical). */
export interface ZoneContents {
  zone: string;
  nameserver: string;
  serial: number;
  txt: ReadonlyMap<string, ReadonlySet<string>>;
}

/** dns-packet decodes the opcode too; its types leave it out. */
type Query = DecodedPacket & { opcode?: string };

/** The answer to a decoded query, or undefined to drop it (a response: answering those loops). */
export function answerQuery(query: Query, contents: ZoneContents): Packet | undefined {
  if (query.flag_qr) return undefined;
  const base = (rcode: number, authoritative: boolean): Packet => ({
    type: "response",
    id: query.id ?? 0,
    flags: ((query.flags ?? 0) & (OPCODE_MASK | FLAG_RD)) | (authoritative ? FLAG_AA : 0) | rcode,
    questions: query.questions ?? [],
    answers: [],
    authorities: [],
    additionals: responseOpt(query),
  });
  if (query.opcode !== "QUERY") return base(RCODE.NOTIMP, false);
  const questions = query.questions ?? [];
  const question = questions[0];
  if (questions.length !== 1 || question === undefined) return base(RCODE.FORMERR, false);
  const opt = queryOpt(query);
  // EDNS versions past 0 get BADVERS (extended RCODE 16 = 1 in the OPT's upper bits), RFC 6891 6.1.3.
  if (opt && opt.ednsVersion !== 0) {
    return { ...base(RCODE.NOERROR, false), additionals: [{ ...ednsOpt(), extendedRcode: 1 }] };
  }
  if ((question.class ?? "IN") !== "IN" && question.class !== "ANY") return base(RCODE.NOTIMP, false);
  // Zone transfers are not offered: the zone's only readers are the CAs' resolvers.
  if (question.type === "AXFR" || question.type === "IXFR") return base(RCODE.NOTIMP, false);
  if (question.type === "OPT") return base(RCODE.FORMERR, false);
  const name = canonicalName(question.name);
  if (!isWithin(name, contents.zone)) return base(RCODE.REFUSED, false);

  // dns-packet's types leave out the ANY query type (255) it decodes.
  const asked: string = question.type;
  const records = recordsAt(name, question.name, contents).filter((r) => asked === "ANY" || r.type === asked);
  if (records.length > 0) return { ...base(RCODE.NOERROR, true), answers: records };
  // RFC 2308: the SOA in the authority section tells resolvers how long to cache the miss.
  const negative = base(nameExists(name, contents) ? RCODE.NOERROR : RCODE.NXDOMAIN, true);
  return { ...negative, authorities: [soa(contents, NEGATIVE_TTL)] };
}

/** The FORMERR answer to bytes that are no DNS message, or undefined when not even the header is there. */
export function formatError(raw: Buffer): Packet | undefined {
  if (raw.length < 12) return undefined;
  const flags = raw.readUInt16BE(2);
  if ((flags & FLAG_QR) !== 0) return undefined;
  return { type: "response", id: raw.readUInt16BE(0), flags: (flags & OPCODE_MASK) | RCODE.FORMERR, questions: [] };
}

/** The UDP size the asker accepts: its EDNS size within [512, MAX_UDP_PAYLOAD], else 512. */
export function udpPayloadLimit(query: Packet): number {
  const opt = queryOpt(query);
  if (!opt) return CLASSIC_UDP_PAYLOAD;
  return Math.min(Math.max(opt.udpPayloadSize, CLASSIC_UDP_PAYLOAD), MAX_UDP_PAYLOAD);
}

/** The answer cut to its header and question with TC set, so the asker retries over TCP. */
export function truncated(response: Packet): Packet {
  return { ...response, flags: (response.flags ?? 0) | FLAG_TC, answers: [], authorities: [] };
}

function recordsAt(name: string, asked: string, contents: ZoneContents): Answer[] {
  const out: Answer[] = [];
  // Answers carry the name as asked: some resolvers match the owner name byte for byte (0x20 bits).
  const owner = asked.replace(/\.+$/, "");
  if (name === contents.zone) {
    out.push({ ...soa(contents, ZONE_RECORD_TTL), name: owner });
    out.push({ type: "NS", name: owner, ttl: ZONE_RECORD_TTL, data: contents.nameserver });
  }
  for (const value of contents.txt.get(name) ?? []) {
    out.push({ type: "TXT", name: owner, ttl: TXT_TTL, data: characterStrings(value) });
  }
  return out;
}

/** A name exists when it holds records or names below it do (an empty non-terminal, RFC 8020). */
function nameExists(name: string, contents: ZoneContents): boolean {
  if (name === contents.zone || name === contents.nameserver) return true;
  for (const [owner, values] of contents.txt) {
    if (values.size > 0 && isWithin(owner, name)) return true;
  }
  return false;
}

function soa(contents: ZoneContents, ttl: number): SoaAnswer {
  return {
    type: "SOA",
    name: contents.zone,
    ttl,
    data: {
      mname: contents.nameserver,
      rname: `hostmaster.${contents.zone}`,
      serial: contents.serial,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: NEGATIVE_TTL,
    },
  };
}

/** A TXT value longer than one character-string (255 bytes) is split into several, RFC 1035 3.3.14. */
function characterStrings(value: string): Buffer[] {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length === 0) return [bytes];
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out;
}

function queryOpt(query: Packet): OptAnswer | undefined {
  return (query.additionals ?? []).find((a): a is OptAnswer => a.type === "OPT");
}

function ednsOpt(): OptAnswer {
  return { type: "OPT", name: ".", udpPayloadSize: MAX_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

/** EDNS is answered with EDNS (RFC 6891); a query without it gets none. */
function responseOpt(query: Packet): Answer[] {
  return queryOpt(query) ? [ednsOpt()] : [];
}
