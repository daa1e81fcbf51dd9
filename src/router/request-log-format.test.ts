import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRequestLog, REQUEST_LOG_FORMAT, type ParsedRequest } from "./request-log-format.js";

const SID = "0123456789abcdef0123456789abcdef";
const IID = "9f00000000000000000000000000e1e1";
const HEADER = "<134>Dec  1 19:33:45 haproxy[7124]: ";

describe("parseRequestLog", () => {
  const service = (over: Partial<ParsedRequest>): ParsedRequest => ({
    backend: `s_${SID}`,
    serviceId: SID,
    instanceId: IID,
    status: 200,
    totalMs: 13,
    queueMs: 0,
    activeConnections: 1,
    backendConnections: 0,
    serverConnections: 0,
    ...over,
  });
  const table: Array<[string, string, ParsedRequest | undefined]> = [
    // Lines captured from HAProxy 2.6.12 with the router's log-format.
    ["an instance's 200", `${HEADER}or1 s_${SID} ${IID} 200 13 0 1/0/0\n`, service({})],
    ["an instance's 404", `${HEADER}or1 s_${SID} ${IID} 404 7 0 1/0/0\n`, service({ status: 404, totalMs: 7 })],
    ["a server timeout (504)", `${HEADER}or1 s_${SID} ${IID} 504 1002 0 1/0/0\n`, service({ status: 504, totalMs: 1002 })],
    [
      "a full queue that timed out: NOSRV 503, counted for the service",
      `${HEADER}or1 s_${SID} <NOSRV> 503 302 302 3/2/0\n`,
      service({ instanceId: undefined, status: 503, totalMs: 302, queueMs: 302, activeConnections: 3, backendConnections: 2 }),
    ],
    [
      "an unknown host: not a service's backend",
      `${HEADER}or1 be_unknown <NOSRV> 404 0 -1 1/0/0\n`,
      {
        backend: "be_unknown",
        serviceId: undefined,
        instanceId: undefined,
        status: 404,
        totalMs: 0,
        queueMs: -1,
        activeConnections: 1,
        backendConnections: 0,
        serverConnections: 0,
      },
    ],
    [
      "a request rejected before routing carries the frontend's name",
      `${HEADER}or1 fe <NOSRV> 400 0 -1 1/0/0\n`,
      {
        backend: "fe",
        serviceId: undefined,
        instanceId: undefined,
        status: 400,
        totalMs: 0,
        queueMs: -1,
        activeConnections: 1,
        backendConnections: 0,
        serverConnections: 0,
      },
    ],
    ["no status sent", `${HEADER}or1 s_${SID} ${IID} -1 250 0 4/3/2\n`, service({ status: -1, totalMs: 250, activeConnections: 4, backendConnections: 3, serverConnections: 2 })],
    ["a host name in the header and no newline", `<134>Dec 11 09:03:05 host1 haproxy[1]: or1 s_${SID} ${IID} 200 13 0 1/0/0`, service({})],
    ["bare fields (format raw)", `or1 s_${SID} ${IID} 200 13 0 1/0/0\r\n`, service({})],
    ["a bare `s_` is not a service", `or1 s_ ${IID} 200 13 0 1/0/0`, { ...service({}), backend: "s_", serviceId: undefined }],
    ["HAProxy's own notices", "<133>Dec  1 19:33:45 haproxy[7124]: Proxy fe started.\n", undefined],
    ["another log-format", `${HEADER}127.0.0.1:5000 [01/Dec/2025:19:33:45.123] fe s_${SID}/${IID} 0/0/1/2/3 200 12\n`, undefined],
    ["a future version of the format", `${HEADER}or2 s_${SID} ${IID} 200 13 0 1/0/0\n`, undefined],
    ["an extra field", `${HEADER}or1 s_${SID} ${IID} 200 13 0 1/0/0 extra\n`, undefined],
    ["a truncated line", `${HEADER}or1 s_${SID} ${IID} 200 13 0 1/0`, undefined],
    ["a non-numeric status", `${HEADER}or1 s_${SID} ${IID} abc 13 0 1/0/0\n`, undefined],
    ["a lone minus", `${HEADER}or1 s_${SID} ${IID} - 13 0 1/0/0\n`, undefined],
    ["two spaces", `${HEADER}or1 s_${SID}  200 13 0 1/0/0\n`, undefined],
    ["an empty datagram", "", undefined],
  ];
  for (const [name, line, want] of table) {
    it(name, () => assert.deepEqual(parseRequestLog(line), want));
  }

  it("documents the format it parses", () => {
    assert.equal(REQUEST_LOG_FORMAT, "or1 %b %s %ST %Ta %Tw %ac/%bc/%sc");
  });
});
