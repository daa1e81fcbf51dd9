import assert from "node:assert/strict";
import { test } from "node:test";
import type { BuildPlan, RuntimeImage } from "../types.js";
import { runEnv, startScript } from "./assemble.js";

test("the start command runs as the shell's exec after run.pre-run, unless it is compound", () => {
  assert.equal(startScript({ preRun: [], startCommand: "node server.js" }), "exec node server.js");
  assert.equal(startScript({ preRun: [], startCommand: `node -e "console.log(1); x()"` }), `exec node -e "console.log(1); x()"`);
  assert.equal(startScript({ preRun: [], startCommand: "npm run migrate && npm start" }), "npm run migrate && npm start");
  assert.equal(startScript({ preRun: [], startCommand: "cd web; python app.py" }), "cd web; python app.py");
  assert.equal(startScript({ preRun: ["pip install x", "echo ok"], startCommand: "python app.py" }), "set -e\npip install x\necho ok\nexec python app.py");
});

test("the image env: runtime, run.env, then PORT and run.network.env", () => {
  const runtime: RuntimeImage = { runtime: "NODEJS_18", version: "18.20.8", rootfs: "/x", env: ["PATH=/usr/bin", "LANG=C.UTF-8"] };
  const plan = { runEnv: { LANG: "en_US.UTF-8", PORT: "1", A: "b=c" }, port: 3000, portEnv: "HTTP_PORT" } as unknown as BuildPlan;
  assert.deepEqual(runEnv(runtime, plan), ["PATH=/usr/bin", "LANG=en_US.UTF-8", "PORT=3000", "A=b=c", "HTTP_PORT=3000"]);
});
