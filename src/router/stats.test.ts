import assert from "node:assert/strict";
import { test } from "node:test";
import { backendStats, parseStatCsv, toBackendLoads } from "./stats.js";

/** Captured from HAProxy 2.6.12 (`show stat -1 6 -1`): maxconn 2, five requests at once, one 404 before. */
const SAMPLE = [
  "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,",
  "be_unknown,BACKEND,0,0,0,1,998,1,42,227,0,0,,0,0,0,0,UP,0,0,0,,0,1,,,1,3,0,,0,,1,1,,1,,,,0,0,0,1,0,0,,,,1,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,0,0,0,0,,,0,0,0,0,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
  "be_paused,BACKEND,0,0,0,0,1,0,0,0,0,0,,0,0,0,0,UP,0,0,0,,0,1,,,1,4,0,,0,,1,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,0,0,0,0,,,0,0,0,0,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
  "s_svcA,0123456789abcdef0123456789abcdef,0,0,2,2,2,3,42,340,,0,,0,0,0,0,no check,1,1,0,,,1,,,1,5,1,,3,,2,3,,3,,,,0,1,0,0,0,0,,,,1,0,0,,,,,0,,,0,1,412,413,,,,,,,,,,,,127.0.0.1:42963,,http,,,,,,,,0,2,1,,,0,,0,1,412,413,0,0,0,2,2,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
  "s_svcA,BACKEND,3,3,5,5,1,6,42,340,0,0,,0,0,0,0,UP,1,1,0,,0,1,0,,1,5,0,,3,,1,6,,6,,,,0,1,0,0,0,0,,,,1,0,0,0,0,0,0,0,,,0,1,412,413,,,,,,,,,,,,,,http,leastconn,,,,,,,0,2,1,0,0,,,0,1,412,413,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,2,3,375,483,0,0,",
].join("\n");

test("parses show stat into rows", () => {
  const rows = parseStatCsv(SAMPLE);
  assert.equal(rows.length, 4);
  const server = rows.find((r) => r.name === "0123456789abcdef0123456789abcdef");
  assert.deepEqual(server, {
    proxy: "s_svcA", name: "0123456789abcdef0123456789abcdef", qcur: 0, scur: 2, stot: 3, reqTot: 1, hrsp2xx: 1, hrsp4xx: 0, hrsp5xx: 0, status: "no check",
  });
});

test("backend load: in flight on servers, queued in the backend", () => {
  const stats = backendStats(parseStatCsv(SAMPLE));
  const a = stats.find((s) => s.backend === "s_svcA");
  assert.equal(a?.inFlight, 2);
  assert.equal(a?.queued, 3);
  // req_tot, not stot (6 streams were assigned): requests are counted as they complete.
  assert.equal(a?.requests, 1);
  assert.equal(stats.find((s) => s.backend === "be_unknown")?.responses4xx, 1);
  assert.deepEqual(toBackendLoads(stats), [
    { serviceId: "svcA", inFlight: 2, queued: 3, requests: 1, perInstance: { "0123456789abcdef0123456789abcdef": 2 } },
  ]);
});

test("table: edge cases", () => {
  const cases: Array<[string, string, number]> = [
    ["empty output", "", 0],
    ["header only", "# pxname,svname,qcur,scur\n", 0],
    ["missing columns read as 0", "# pxname,svname\ns_x,BACKEND\ns_x,i1\n", 2],
  ];
  for (const [name, text, rows] of cases) assert.equal(parseStatCsv(text).length, rows, name);
  const loads = toBackendLoads(backendStats(parseStatCsv("# pxname,svname\ns_x,BACKEND\ns_x,i1\n")));
  assert.deepEqual(loads, [{ serviceId: "x", inFlight: 0, queued: 0, requests: 0, perInstance: { i1: 0 } }]);
});

test("requests held in a backend with no server up count as queued (a service at zero wakes on them)", () => {
  const header = "# pxname,svname,qcur,scur,req_tot,status\n";
  const rows: Array<[string, string, number]> = [
    // At zero: no server at all, 50 requests held by the hold rule in the backend.
    ["at zero", "s_z,BACKEND,0,50,7,UP\n", 50],
    // Its only instance is down: the requests attached to the backend wait for a replacement.
    ["only server down", "s_z,i1,0,0,3,DOWN\ns_z,BACKEND,0,4,3,UP\n", 4],
    // A server is up: what the backend counts beyond its servers is on its way to them, not held.
    ["a server up", "s_z,i1,0,2,3,UP\ns_z,BACKEND,1,4,3,UP\n", 1],
    ["no check counts as up", "s_z,i1,0,2,3,no check\ns_z,BACKEND,0,3,3,UP\n", 0],
  ];
  for (const [name, text, queued] of rows) {
    assert.equal(toBackendLoads(backendStats(parseStatCsv(header + text)))[0]?.queued, queued, name);
  }
});
