import assert from "node:assert/strict";
import { test } from "node:test";
import { fingerprint, liveFromRendered, planFailed, planSync, routedServers, workerRoutes, type LiveBackend, type LiveServer, type ServerState } from "./live-backends.js";
import type { RoutedInstance, ServiceRoute } from "./types.js";

const inst = (id: string, address = `127.9.0.${id.length + 1}`): RoutedInstance => ({ id, address, port: 8080 });
const route = (instances: RoutedInstance[], over: Partial<ServiceRoute> = {}): ServiceRoute => ({
  serviceId: "svc",
  serviceName: "web",
  hosts: ["web.test"],
  state: "serving",
  maxConcurrency: 1,
  instances,
  ...over,
});
const server = (id: string, state: ServerState = "serving", failed = false): [string, LiveServer] => [id, { inst: inst(id), maxconn: 1, state, failed }];
const backend = (...servers: Array<[string, LiveServer]>): LiveBackend => ({ route: route([]), fingerprint: fingerprint(route([])), servers: new Map(servers) });
const texts = (actions: ReturnType<typeof planSync>) => actions.map((a) => [a.id, a.commands.map((c) => c.text), a.after.state, a.retire]);

test("planSync: a new server is added at weight 0, its check enabled, then enabled and weighted (no uncounted queue grab)", () => {
  assert.deepEqual(texts(planSync(route([inst("a")]), backend())), [
    [
      "a",
      [
        "add server s_svc/a 127.9.0.2:8080 maxconn 1 weight 0 check inter 10s downinter 1s rise 1 observe layer4 error-limit 1 on-error mark-down pool-max-conn -1 pool-purge-delay 5s",
        "enable health s_svc/a",
        "enable server s_svc/a",
        "set weight s_svc/a 1",
      ],
      "serving",
      false,
    ],
  ]);
});

const cases: Array<[string, ServiceRoute, LiveBackend, ReturnType<typeof texts>]> = [
  ["nothing to do", route([inst("a")]), backend(server("a")), []],
  ["a server no longer listed drains, then retires", route([inst("b")]), backend(server("a"), server("b")), [["a", ["set server s_svc/a state drain"], "draining", true]]],
  ["a draining server listed again is ready again (leaving drain grabs nothing)", route([inst("a")]), backend(server("a", "draining")), [["a", ["set server s_svc/a state ready"], "serving", false]]],
  [
    "a server in maintenance listed again leaves it at weight 0",
    route([inst("a")]),
    backend(server("a", "down")),
    [["a", ["set weight s_svc/a 0", "enable server s_svc/a", "set weight s_svc/a 1"], "serving", false]],
  ],
  ["a failed instance is never revived by a stale route", route([inst("a")]), backend(server("a", "down", true)), []],
  ["a failed instance already down is not drained again", route([]), backend(server("a", "down", true)), []],
  ["a paused service drains its servers", route([inst("a")], { state: "paused" }), backend(server("a")), [["a", ["set server s_svc/a state drain"], "draining", true]]],
  [
    "maxconn changes at runtime",
    route([inst("a")], { maxConcurrency: 3 }),
    backend(server("a")),
    [["a", ["set maxconn server s_svc/a 3"], "serving", false]],
  ],
];
for (const [name, want, live, expected] of cases) {
  test(`planSync: ${name}`, () => assert.deepEqual(texts(planSync(want, live)), expected));
}

test("planFailed: failed servers go to maintenance at once and retire; a draining one only changes state; unknown ids are ignored", () => {
  const live = backend(server("a"), server("b"), server("c", "draining"));
  assert.deepEqual(texts(planFailed("svc", live, ["a", "c", "zz"])), [
    ["a", ["disable server s_svc/a"], "down", true],
    ["c", ["disable server s_svc/c"], "down", false],
  ]);
  assert.ok(planFailed("svc", live, ["a"]).every((a) => a.after.failed));
  // The last server too: the backend then holds requests (HOLD_LUA) until a replacement joins.
  assert.deepEqual(texts(planFailed("svc", backend(server("a")), ["a"])), [["a", ["disable server s_svc/a"], "down", true]]);
});

test("workerRoutes renders no failed instance; liveFromRendered is exactly what was rendered", () => {
  const live = new Map([["svc", backend(server("a", "down", true), server("b"))]]);
  const rendered = workerRoutes([route([inst("a"), inst("b")]), route([inst("x")], { serviceId: "other" })], live);
  assert.deepEqual(
    rendered.map((r) => [r.serviceId, r.instances.map((i) => i.id)]),
    [
      ["svc", ["b"]],
      ["other", ["x"]],
    ],
  );
  const after = liveFromRendered(rendered);
  assert.deepEqual([...after.keys()], ["svc", "other"]);
  assert.deepEqual(routedServers(after.get("svc") as LiveBackend).map((i) => i.id), ["b"]);
  assert.deepEqual(liveFromRendered([route([inst("a")], { state: "paused" })]).get("svc")?.servers.size, 0);
});
