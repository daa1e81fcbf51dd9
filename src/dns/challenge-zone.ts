import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Packet } from "dns-packet";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { canonicalName, isWithin, type DnsLogger } from "./names.js";
import { frame, TcpFrameReader } from "./tcp-frames.js";
import type { ChallengeZone, ChallengeZoneSettings } from "./types.js";
import { answerQuery, formatError, truncated, udpPayloadLimit, type ZoneContents } from "./zone-answers.js";

export interface ChallengeZoneDeps {
  logger: DnsLogger;
  /** A TCP connection with no query for this long is closed (RFC 7766 suggests seconds). */
  tcpIdleMs?: number;
  /** Open TCP connections at once; node closes any past this as soon as they are accepted. */
  maxTcpConnections?: number;
}

const DEFAULT_TCP_IDLE_MS = 10_000;
const DEFAULT_MAX_TCP_CONNECTIONS = 256;
/** Answers queued to a TCP client that does not read them: past this it is cut off, not buffered. */
const MAX_TCP_PENDING_WRITE = 256 * 1024;
/** With port 0, UDP picks the port and TCP must get the same one: a few tries if it is taken. */
const BIND_TRIES = 5;

/** The authoritative server of the challenge zone, on UDP and TCP at one address. */
export function createChallengeZone(settings: ChallengeZoneSettings, deps: ChallengeZoneDeps): ChallengeZone {
  return new DnsChallengeZone(settings, deps);
}

interface Listening {
  host: string;
  port: number;
  udp: dgram.Socket;
  tcp: net.Server;
}

class DnsChallengeZone implements ChallengeZone {
  readonly zone: string;
  private readonly nameserver: string;
  private readonly txt = new Map<string, Set<string>>();
  /** Bumped on every change so the SOA tells a changed zone (it restarts at 1: nothing transfers it). */
  private serial = 1;
  private listening: Listening | undefined;
  private readonly connections = new Set<net.Socket>();

  constructor(
    private readonly settings: ChallengeZoneSettings,
    private readonly deps: ChallengeZoneDeps,
  ) {
    this.zone = canonicalName(settings.zone);
    this.nameserver = canonicalName(settings.nameserver ?? `ns.${this.zone}`);
  }

  addTxt(name: string, value: string): void {
    const owner = this.inZone(name);
    let values = this.txt.get(owner);
    if (!values) this.txt.set(owner, (values = new Set()));
    if (values.has(value)) return;
    values.add(value);
    this.serial++;
  }

  removeTxt(name: string, value: string): void {
    const owner = this.inZone(name);
    const values = this.txt.get(owner);
    if (!values?.delete(value)) return;
    if (values.size === 0) this.txt.delete(owner);
    this.serial++;
  }

  address(): { host: string; port: number } | undefined {
    return this.listening && { host: this.listening.host, port: this.listening.port };
  }

  async start(): Promise<void> {
    if (this.listening) return;
    const { host, port } = parseListen(this.settings.listen);
    for (let attempt = 1; ; attempt++) {
      const udp = dgram.createSocket({ type: net.isIPv6(host) ? "udp6" : "udp4" });
      udp.on("message", (msg, rinfo) => this.onUdp(udp, msg, rinfo));
      udp.on("error", (err) => this.deps.logger("challenge zone: UDP socket error", { zone: this.zone, error: err.message }));
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once("error", reject);
          udp.bind(port, host, () => {
            udp.off("error", reject);
            resolve();
          });
        });
      } catch (err) {
        udp.close();
        throw this.listenFailed(err);
      }
      const bound = udp.address().port;
      const tcp = net.createServer((socket) => this.onTcp(socket));
      tcp.maxConnections = this.deps.maxTcpConnections ?? DEFAULT_MAX_TCP_CONNECTIONS;
      tcp.on("error", (err) => this.deps.logger("challenge zone: TCP server error", { zone: this.zone, error: err.message }));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once("error", reject);
          tcp.listen({ port: bound, host, exclusive: true }, () => {
            tcp.off("error", reject);
            resolve();
          });
        });
      } catch (err) {
        udp.close();
        if (port === 0 && errorCode(err) === "EADDRINUSE" && attempt < BIND_TRIES) continue;
        throw this.listenFailed(err);
      }
      this.listening = { host, port: bound, udp, tcp };
      this.deps.logger("challenge zone: answering", { zone: this.zone, nameserver: this.nameserver, host, port: bound });
      return;
    }
  }

  async stop(): Promise<void> {
    const listening = this.listening;
    if (!listening) return;
    this.listening = undefined;
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await Promise.all([
      new Promise<void>((resolve) => listening.udp.close(() => resolve())),
      new Promise<void>((resolve) => listening.tcp.close(() => resolve())),
    ]);
  }

  private inZone(name: string): string {
    const owner = canonicalName(name);
    if (!isWithin(owner, this.zone)) {
      throw new AppRunnerError("DnsZoneFailed", `${name} is not in the challenge zone ${this.zone}.`);
    }
    return owner;
  }

  private listenFailed(err: unknown): AppRunnerError {
    return new AppRunnerError(
      "DnsZoneFailed",
      `The challenge zone ${this.zone} could not listen on ${this.settings.listen}: ${errorMessage(err)}`,
      { cause: err },
    );
  }

  private contents(): ZoneContents {
    return { zone: this.zone, nameserver: this.nameserver, serial: this.serial, txt: this.txt };
  }

  /** The encoded answer to one message, or undefined to send nothing; never throws. */
  private respond(raw: Buffer, from: string, transport: "udp" | "tcp"): { response: Packet; limit?: number } | undefined {
    let response: Packet | undefined;
    let limit: number | undefined;
    try {
      const query = dnsPacket.decode(raw);
      response = answerQuery(query, this.contents());
      limit = transport === "udp" ? udpPayloadLimit(query) : undefined;
      if (!response) this.deps.logger("challenge zone: dropped a DNS response sent to it", { zone: this.zone, from, transport });
    } catch (err) {
      response = formatError(raw);
      this.deps.logger("challenge zone: a malformed DNS message", {
        zone: this.zone,
        from,
        transport,
        bytes: raw.length,
        error: errorMessage(err),
        answered: response ? "FORMERR" : "dropped",
      });
    }
    return response && { response, limit };
  }

  private encode(response: Packet, from: string, limit?: number): Buffer | undefined {
    try {
      const bytes = dnsPacket.encode(response);
      return limit !== undefined && bytes.length > limit ? dnsPacket.encode(truncated(response)) : bytes;
    } catch (err) {
      this.deps.logger("challenge zone: could not encode an answer", { zone: this.zone, from, error: errorMessage(err) });
      return undefined;
    }
  }

  private onUdp(udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const from = `${rinfo.address}:${rinfo.port}`;
    const answer = this.respond(msg, from, "udp");
    const bytes = answer && this.encode(answer.response, from, answer.limit);
    if (!bytes) return;
    udp.send(bytes, rinfo.port, rinfo.address, (err) => {
      if (err) this.deps.logger("challenge zone: could not send a UDP answer", { zone: this.zone, from, error: err.message });
    });
  }

  private onTcp(socket: net.Socket): void {
    const from = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
    this.connections.add(socket);
    socket.setTimeout(this.deps.tcpIdleMs ?? DEFAULT_TCP_IDLE_MS, () => socket.destroy());
    socket.on("close", () => this.connections.delete(socket));
    socket.on("error", (err) => this.deps.logger("challenge zone: TCP connection error", { zone: this.zone, from, error: err.message }));
    const reader = new TcpFrameReader();
    socket.on("data", (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) {
        const answer = this.respond(msg, from, "tcp");
        const bytes = answer && this.encode(answer.response, from);
        // Nothing sensible to answer on a stream (not even a header): the connection ends.
        if (!bytes) return void socket.destroy();
        if (socket.writableLength > MAX_TCP_PENDING_WRITE) {
          this.deps.logger("challenge zone: a TCP client does not read its answers; closing it", { zone: this.zone, from });
          return void socket.destroy();
        }
        socket.write(frame(bytes));
      }
    });
  }
}

/** "host:port" or "[v6]:port", the host an IP address: the zone binds exactly there. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(listen) ?? /^([^:]+):(\d+)$/.exec(listen);
  const host = match?.[1];
  const port = Number(match?.[2]);
  if (!host || net.isIP(host) === 0 || !Number.isInteger(port) || port > 65535) {
    throw new AppRunnerError(
      "DnsZoneFailed",
      `The challenge zone's listen address must be "ip:port" or "[ipv6]:port", not "${listen}".`,
    );
  }
  return { host, port };
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
