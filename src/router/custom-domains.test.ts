import assert from "node:assert/strict";
import { test } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { certificateFile, checkChallenge, checkPem, customHost, hostTables, renderCrtList, renderMap } from "./custom-domains.js";
import type { ServiceRoute } from "./types.js";

const route = (serviceId: string, hosts: string[], state: ServiceRoute["state"] = "serving"): ServiceRoute => ({
  serviceId,
  serviceName: serviceId,
  hosts,
  state,
  maxConcurrency: 1,
  instances: [],
});

test("hostTables: exact custom hosts beside the ServiceUrl, wildcards by parent, ServiceUrls win, paused services' names go to be_paused", () => {
  const table: Array<{ name: string; routes: ServiceRoute[]; custom: Record<string, string[]>; exact: Record<string, string>; wildcard: Record<string, string> }> = [
    { name: "no custom hosts", routes: [route("a", ["a.r.test"])], custom: {}, exact: { "a.r.test": "s_a" }, wildcard: {} },
    {
      name: "exact and wildcard of one service",
      routes: [route("a", ["a.r.test"])],
      custom: { a: ["example.com", "www.example.com", "*.example.com"] },
      exact: { "a.r.test": "s_a", "example.com": "s_a", "www.example.com": "s_a" },
      wildcard: { "example.com": "s_a" },
    },
    {
      name: "login.example.com of another association is an exact name: it beats *.example.com at lookup",
      routes: [route("a", ["a.r.test"]), route("b", ["b.r.test"])],
      custom: { a: ["*.example.com"], b: ["login.example.com"] },
      exact: { "a.r.test": "s_a", "b.r.test": "s_b", "login.example.com": "s_b" },
      wildcard: { "example.com": "s_a" },
    },
    {
      name: "a custom name equal to a ServiceUrl never takes it over",
      routes: [route("a", ["a.r.test"]), route("b", ["b.r.test"])],
      custom: { a: ["b.r.test"] },
      exact: { "a.r.test": "s_a", "b.r.test": "s_b" },
      wildcard: {},
    },
    {
      name: "a service without a route routes no custom host (kept for when it arrives)",
      routes: [route("a", ["a.r.test"])],
      custom: { z: ["example.com", "*.example.com"] },
      exact: { "a.r.test": "s_a" },
      wildcard: {},
    },
    {
      name: "paused",
      routes: [route("a", ["a.r.test"], "paused")],
      custom: { a: ["example.com", "*.example.com"] },
      exact: { "a.r.test": "be_paused", "example.com": "be_paused" },
      wildcard: { "example.com": "be_paused" },
    },
  ];
  for (const c of table) {
    const got = hostTables(c.routes, new Map(Object.entries(c.custom)));
    assert.deepEqual(Object.fromEntries(got.exact), c.exact, c.name);
    assert.deepEqual(Object.fromEntries(got.wildcard), c.wildcard, c.name);
  }
});

test("customHost, certificateFile, checkChallenge refuse what could change a runtime command or a file HAProxy parses", () => {
  assert.equal(customHost("WWW.Example.com"), "www.example.com");
  assert.equal(customHost("*.example.com"), "*.example.com");
  for (const bad of ["example", "a b.com", "x.com\nshow info", "*.*.com", "a.*.com", "-a.com", "a..com", "example.com;del map"]) {
    assert.throws(() => customHost(bad), (e: unknown) => e instanceof AppRunnerError && e.code === "InvalidRequest", bad);
  }
  assert.equal(certificateFile("/r/certs", "example.com"), "/r/certs/example.com.pem");
  assert.equal(certificateFile("/r/certs", "*.example.com"), "/r/certs/_wildcard.example.com.pem");
  for (const bad of ["../x", "a/b", "a b", "", ".hidden", "x\ny", "a..b"]) assert.throws(() => certificateFile("/r/certs", bad), bad);
  checkChallenge("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0", "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI");
  for (const bad of ["a b", "a/b", "x;show", "", "a.b"]) assert.throws(() => checkChallenge(bad), bad);
  assert.throws(() => checkChallenge("tok", "x y"));
  assert.throws(() => checkChallenge("tok", "x\nshow info"));
});

test("checkPem refuses what is not a certificate with its key, before HAProxy sees it", () => {
  for (const [name, pem] of [
    ["empty", ""],
    ["no key", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
    ["garbage certificate", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
  ]) {
    assert.throws(() => checkPem(pem ?? ""), (e: unknown) => e instanceof AppRunnerError && e.code === "InvalidRequest", name);
  }
});

test("renderMap and renderCrtList: stable; the router's certificate first (the default)", () => {
  assert.equal(renderMap(new Map([["b", "2"], ["a", "1"]])), "a 1\nb 2\n");
  assert.equal(renderMap(new Map()), "");
  assert.equal(renderCrtList("/r/tls.pem", ["/r/certs/z.pem", "/r/certs/a.pem"]), "/r/tls.pem\n/r/certs/a.pem\n/r/certs/z.pem\n");
  assert.equal(renderCrtList("/r/tls.pem", []), "/r/tls.pem\n");
});
