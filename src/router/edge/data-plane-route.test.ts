import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { ManualClock } from "../../util/clock.js";
import type { ServiceRoute } from "../types.js";
import { httpControlPlane } from "./control-plane-client.js";
import { dataPlaneRoute, DATA_PLANE_ROUTES_PATH } from "./data-plane-route.js";
import { EdgeLoadReports } from "./load-merge.js";
import { RouteTable } from "./route-table.js";

const route = (serviceId: string): ServiceRoute => ({ serviceId, serviceName: serviceId, hosts: [`${serviceId}.test`], state: "serving", maxConcurrency: 1, instances: [] });

async function serve(table: ServiceRoute[], reports: EdgeLoadReports): Promise<{ server: Server; url: string }> {
  const r = dataPlaneRoute({ token: "secret", table: new RouteTable(() => table, "boot"), reports });
  const server = createServer((req, res) => {
    if (!r.matches(req)) return void res.writeHead(404).end();
    r.handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test("data-plane route: routes with a version (304 when unchanged), load reports recorded, both behind the token", async () => {
  const table = [route("s1")];
  const reports = new EdgeLoadReports(new ManualClock());
  const { server, url } = await serve(table, reports);
  try {
    const signal = new AbortController().signal;
    const cp = httpControlPlane(url, "secret");
    const first = await cp.routes(undefined, signal);
    assert.ok(first !== "unchanged");
    assert.deepEqual(first.routes, table);
    assert.equal(await cp.routes(first.etag, signal), "unchanged");
    table.push(route("s2"));
    const second = await cp.routes(first.etag, signal);
    assert.ok(second !== "unchanged" && second.etag !== first.etag && second.routes.length === 2);

    await cp.report({ name: "edge-1", loads: [{ serviceId: "s1", inFlight: 2, queued: 0, perInstance: {} }] }, signal);
    assert.deepEqual(reports.merged([]), [{ serviceId: "s1", inFlight: 2, queued: 0, perInstance: {} }]);

    await assert.rejects(httpControlPlane(url, "wrong").routes(undefined, signal), /HTTP 401/);
    assert.equal((await fetch(`${url}${DATA_PLANE_ROUTES_PATH}`)).status, 401);
    const bad = await fetch(`${url}/openrunner/data-plane/load`, { method: "POST", headers: { authorization: "Bearer secret" }, body: '{"name":"x","loads":[{"serviceId":"s1","inFlight":-1,"queued":0}]}' });
    assert.equal(bad.status, 400);
    await assert.rejects(httpControlPlane("http://127.0.0.1:1", "secret").routes(undefined, signal), /cannot be reached/);
  } finally {
    server.close();
  }
});
