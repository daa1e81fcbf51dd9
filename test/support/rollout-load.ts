/**
 * Loopback loads for gradual-rollout tests: new clients (no cookie) counted by the version they
 * got, with the cookie each version handed out; and a steady load whose every answer (or failure
 * to get one) is kept with when it was sent.
 */
import assert from "node:assert/strict";
import type { RouterReply } from "./router-client.js";

type Get = (headers?: Record<string, string>) => Promise<RouterReply>;

/** `count` requests without a cookie, `concurrency` at a time, each one a new client: their bodies, and each version's cookie. */
export async function newClients(get: Get, count: number, concurrency = 4): Promise<{ bodies: string[]; cookies: Map<string, string> }> {
  const bodies: string[] = [];
  const cookies = new Map<string, string>();
  const client = async () => {
    while (bodies.length < count) {
      const r = await get();
      assert.equal(r.status, 200, r.body);
      const body = r.body.trim();
      bodies.push(body);
      const cookie = [r.headers["set-cookie"] ?? []].flat()[0]?.split(";")[0];
      if (cookie) cookies.set(body, cookie);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { bodies, cookies };
}

export interface LoadAnswer {
  at: number;
  status: number;
  body: string;
}

/** New clients, `concurrency` at a time, until stopped: every answer, and every request that got none. */
export function steadyLoad(get: Get, concurrency = 2): { answers: LoadAnswer[]; failures: string[]; stop(): Promise<void> } {
  const answers: LoadAnswer[] = [];
  const failures: string[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      const at = Date.now();
      try {
        const r = await get();
        answers.push({ at, status: r.status, body: r.body.trim() });
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  const load = Promise.all(Array.from({ length: concurrency }, client));
  return {
    answers,
    failures,
    stop: async () => {
      running = false;
      await load;
    },
  };
}
