import type { Server } from "node:http";

/** How much of the machine the API endpoint lets its clients hold. */
export interface ServerLimits {
  /** Open connections at once; past this, new ones are closed as they arrive (Node's server.maxConnections). */
  maxConnections: number;
  /** A client has this long to send its request headers. */
  headersTimeoutMs: number;
  /** ...and this long to send the whole request, body included. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this (above the SDKs' own idle timeouts). */
  keepAliveTimeoutMs: number;
}

/**
 * The SDKs, the CLI, Terraform and the console each hold a handful of connections; a few
 * hundred serve many of them at once, and bound what a flood of connections can take
 * (each holds a socket and at most one request body, itself capped per API).
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxConnections: 256,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
};

export function applyServerLimits(server: Server, limits: ServerLimits): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
}
