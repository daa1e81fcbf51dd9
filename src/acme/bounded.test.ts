import assert from "node:assert/strict";
import { test } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { bounded } from "./bounded.js";

const isStopped = (what: RegExp) => (err: unknown) => err instanceof AppRunnerError && err.code === "CertificateIssuanceFailed" && what.test(err.message);

test("bounded passes the work's outcome through while the signal holds", async () => {
  const signal = new AbortController().signal;
  assert.equal(await bounded(signal, "x", Promise.resolve(7)), 7);
  await assert.rejects(bounded(signal, "x", Promise.reject(new Error("CA said no"))), /CA said no/);
});

test("bounded gives up on work that never settles when the signal aborts, naming the step and the reason", async () => {
  const controller = new AbortController();
  const never = new Promise<never>(() => undefined);
  const pending = bounded(controller.signal, "Validating a.example.com by dns-01", never);
  controller.abort(new Error("the order's 5 minutes are up"));
  await assert.rejects(pending, isStopped(/^Validating a\.example\.com by dns-01 was stopped: the order's 5 minutes are up$/));
});

test("bounded refuses at once under an aborted signal and still handles the abandoned work's failure", async () => {
  const controller = new AbortController();
  controller.abort(new Error("shutting down"));
  let rejectLater: (err: Error) => void = () => undefined;
  const work = new Promise<never>((_, reject) => (rejectLater = reject));
  await assert.rejects(bounded(controller.signal, "Finalizing", work), isStopped(/^Finalizing was stopped: shutting down$/));
  rejectLater(new Error("late")); // Must not become an unhandled rejection (node:test would fail the run).
  await new Promise((r) => setImmediate(r));
});
