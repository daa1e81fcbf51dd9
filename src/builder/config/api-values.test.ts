import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CodeConfigurationValues } from "@aws-sdk/client-apprunner";
import type { Wire } from "../../protocol/wire.js";
import { planFromApi } from "./api-values.js";

type Values = Wire<CodeConfigurationValues>;

describe("planFromApi", () => {
  it("the guide's python-hello through the API", () => {
    const got = planFromApi({ Runtime: "PYTHON_3", BuildCommand: "pip install -r requirements.txt", StartCommand: "python server.py", Port: "8080" });
    assert.deepEqual(got, {
      plan: {
        source: "API",
        runtime: "PYTHON_3",
        preBuild: [],
        build: ["pip install -r requirements.txt"],
        postBuild: [],
        buildEnv: {},
        preRun: [],
        startCommand: "python server.py",
        port: 8080,
        runEnv: {},
      },
      problems: [],
    });
  });

  it("every member", () => {
    const got = planFromApi({
      Runtime: "NODEJS_18",
      BuildCommand: "npm ci && npm run build",
      StartCommand: "node dist/server.js",
      Port: "3000",
      RuntimeEnvironmentVariables: { NODE_ENV: "production", EMPTY: "" },
      RuntimeEnvironmentSecrets: {},
    });
    assert.deepEqual(got.problems, []);
    assert.ok(got.plan);
    assert.equal(got.plan.runtime, "NODEJS_18");
    assert.deepEqual(got.plan.build, ["npm ci && npm run build"], "BuildCommand is one line of the build phase");
    assert.equal(got.plan.startCommand, "node dist/server.js");
    assert.equal(got.plan.port, 3000);
    assert.deepEqual(got.plan.runEnv, { NODE_ENV: "production", EMPTY: "" });
    assert.equal(got.plan.runtimeVersion, undefined);
    assert.equal(got.plan.portEnv, undefined);
  });

  it("RuntimeEnvironmentSecrets: references only, carried in the plan (resolved at each deployment)", () => {
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
    const got = planFromApi({ Runtime: "NODEJS_18", StartCommand: "x", RuntimeEnvironmentSecrets: { DB: secret, USER: `${secret}:username::`, P: "/app/p" } });
    assert.deepEqual(got.problems, []);
    assert.deepEqual(got.plan?.secrets, { DB: secret, USER: `${secret}:username::`, P: "/app/p" });
    assert.deepEqual(got.plan?.runEnv, {}, "no secret is a plain variable of the image");
    assert.equal(planFromApi({ Runtime: "NODEJS_18", StartCommand: "x", RuntimeEnvironmentSecrets: {} }).plan?.secrets, undefined);
  });

  it("each managed runtime", () => {
    for (const Runtime of ["PYTHON_3", "PYTHON_311", "NODEJS_12", "NODEJS_14", "NODEJS_16", "NODEJS_18", "NODEJS_22"] as const) {
      assert.equal(planFromApi({ Runtime, StartCommand: "start" }).plan?.runtime, Runtime);
    }
  });

  it("no BuildCommand, or a blank one, builds nothing; no Port is 8080", () => {
    for (const BuildCommand of [undefined, "", "   "]) {
      const got = planFromApi({ Runtime: "PYTHON_311", BuildCommand, StartCommand: "python app.py" });
      assert.deepEqual(got.plan?.build, []);
      assert.equal(got.plan?.port, 8080);
    }
  });

  const mistakes: { name: string; values: Values; key: string; says: RegExp }[] = [
    { name: "no Runtime", values: { Runtime: undefined, StartCommand: "x" }, key: "Runtime", says: /^Runtime is required; supported: PYTHON_3, PYTHON_311, NODEJS_12/ },
    { name: "CORRETTO_11", values: { Runtime: "CORRETTO_11", StartCommand: "x" }, key: "Runtime", says: /^runtime CORRETTO_11 is not supported by OpenRunner yet; supported: PYTHON_3/ },
    { name: "CORRETTO_8", values: { Runtime: "CORRETTO_8", StartCommand: "x" }, key: "Runtime", says: /CORRETTO_8 is not supported by OpenRunner yet/ },
    { name: "GO_1", values: { Runtime: "GO_1", StartCommand: "x" }, key: "Runtime", says: /GO_1 is not supported by OpenRunner yet/ },
    { name: "DOTNET_6", values: { Runtime: "DOTNET_6", StartCommand: "x" }, key: "Runtime", says: /DOTNET_6 is not supported by OpenRunner yet/ },
    { name: "PHP_81", values: { Runtime: "PHP_81", StartCommand: "x" }, key: "Runtime", says: /PHP_81 is not supported by OpenRunner yet/ },
    { name: "RUBY_31", values: { Runtime: "RUBY_31", StartCommand: "x" }, key: "Runtime", says: /RUBY_31 is not supported by OpenRunner yet/ },
    { name: "an unknown runtime", values: { Runtime: "NODEJS_20" as Values["Runtime"], StartCommand: "x" }, key: "Runtime", says: /NODEJS_20 is not a known runtime/ },
    { name: "no StartCommand", values: { Runtime: "NODEJS_18" }, key: "StartCommand", says: /^StartCommand is required/ },
    { name: "a blank StartCommand", values: { Runtime: "NODEJS_18", StartCommand: " " }, key: "StartCommand", says: /StartCommand is required/ },
    { name: "Port 0", values: { Runtime: "NODEJS_18", StartCommand: "x", Port: "0" }, key: "Port", says: /^Port must be a port number from 1 to 65535 \(default 8080\), not 0$/ },
    { name: "Port 65536", values: { Runtime: "NODEJS_18", StartCommand: "x", Port: "65536" }, key: "Port", says: /not 65536/ },
    { name: "Port http", values: { Runtime: "NODEJS_18", StartCommand: "x", Port: "http" }, key: "Port", says: /not http/ },
    {
      name: "a variable name with a space",
      values: { Runtime: "NODEJS_18", StartCommand: "x", RuntimeEnvironmentVariables: { "MY VAR": "1" } },
      key: "RuntimeEnvironmentVariables.MY VAR",
      says: /"MY VAR" is not a variable name/,
    },
    {
      name: "a RuntimeEnvironmentSecrets reference that points nowhere",
      values: { Runtime: "NODEJS_18", StartCommand: "x", RuntimeEnvironmentSecrets: { DB_PASSWORD: "arn:aws:s3:us-east-1:123456789012:bucket" } },
      key: "RuntimeEnvironmentSecrets.DB_PASSWORD",
      says: /^the reference of DB_PASSWORD is an ARN of s3, not of Secrets Manager or SSM/,
    },
    {
      name: "a secret that is also a plain variable",
      values: { Runtime: "NODEJS_18", StartCommand: "x", RuntimeEnvironmentVariables: { DB: "x" }, RuntimeEnvironmentSecrets: { DB: "/db" } },
      key: "RuntimeEnvironmentSecrets.DB",
      says: /DB is also a plain environment variable/,
    },
    {
      name: "a secret named PORT",
      values: { Runtime: "NODEJS_18", StartCommand: "x", RuntimeEnvironmentSecrets: { PORT: "/port" } },
      key: "RuntimeEnvironmentSecrets.PORT",
      says: /PORT is reserved/,
    },
  ];
  for (const m of mistakes) {
    it(`refuses ${m.name}`, () => {
      const got = planFromApi(m.values);
      assert.equal(got.plan, undefined);
      assert.equal(got.problems.length, 1, JSON.stringify(got.problems));
      const [p] = got.problems;
      assert.equal(p?.key, m.key);
      assert.equal(p?.line, undefined);
      assert.match(p?.message ?? "", m.says);
    });
  }

  it("reports every mistake at once", () => {
    const got = planFromApi({ Runtime: "GO_1", Port: "x", RuntimeEnvironmentSecrets: { A: "arn:x" } });
    assert.deepEqual(
      got.problems.map((p) => p.key),
      ["Runtime", "StartCommand", "Port", "RuntimeEnvironmentSecrets.A"],
    );
  });
});
