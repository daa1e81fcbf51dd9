import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseApprunnerYaml } from "../config/apprunner-yaml.js";
import { chooseBuild, type BuildChoice, type BuildChoiceInput } from "./plan.js";

const APP_RUNNER_YAML = ["version: 1.0", "runtime: nodejs18", "build:", "  commands:", "    build:", "      - npm ci", "run:", "  command: node server.js", ""].join("\n");
const dockerfileDefault: BuildChoice = { kind: "dockerfile", plan: { source: "Dockerfile", dockerfile: "Dockerfile", buildArgs: {} } };

describe("chooseBuild: which build a code service gets", () => {
  const table: Array<[string, BuildChoiceInput, BuildChoice]> = [
    ["API values: always the managed runtime, a Dockerfile or not", { configurationSource: "API", hasDockerfile: true }, { kind: "managed" }],
    ["API values with an apprunner.yaml openrunner key: still the managed runtime", { configurationSource: "API", apprunnerYaml: "version: 1.0\nopenrunner:\n  dockerfile: Dockerfile\n", hasDockerfile: true }, { kind: "managed" }],
    ["apprunner.yaml and a Dockerfile: App Runner's file wins", { configurationSource: "REPOSITORY", apprunnerYaml: APP_RUNNER_YAML, hasDockerfile: true }, { kind: "managed" }],
    ["an invalid App Runner file stays App Runner's (its parser reports it)", { configurationSource: "REPOSITORY", apprunnerYaml: "version: 1.0\nruntime: cobol\n", hasDockerfile: true }, { kind: "managed" }],
    ["a YAML syntax error stays App Runner's", { configurationSource: "REPOSITORY", apprunnerYaml: "openrunner: [\n", hasDockerfile: true }, { kind: "managed" }],
    ["no apprunner.yaml, a Dockerfile: the Dockerfile build", { configurationSource: "REPOSITORY", hasDockerfile: true }, dockerfileDefault],
    ["neither: the managed build (which reports the missing apprunner.yaml)", { configurationSource: "REPOSITORY", hasDockerfile: false }, { kind: "managed" }],
    [
      "the openrunner key with every member",
      {
        configurationSource: "REPOSITORY",
        apprunnerYaml: ["version: 1.0", "openrunner:", "  dockerfile: docker/app.Dockerfile", "  target: runtime", "  build-args:", "    - name: NODE_ENV", "      value: production", "    - name: EMPTY", "      value:", ""].join("\n"),
        hasDockerfile: false,
      },
      { kind: "dockerfile", plan: { source: "apprunner.yaml", dockerfile: "docker/app.Dockerfile", target: "runtime", buildArgs: { NODE_ENV: "production", EMPTY: "" } } },
    ],
    [
      "the openrunner key alone: the default Dockerfile",
      { configurationSource: "REPOSITORY", apprunnerYaml: "version: 1.0\nopenrunner: {}\n", hasDockerfile: true },
      { kind: "dockerfile", plan: { source: "apprunner.yaml", dockerfile: "Dockerfile", buildArgs: {} } },
    ],
  ];
  for (const [name, input, want] of table) {
    it(name, () => assert.deepEqual(chooseBuild(input), want));
  }

  const problems: Array<[string, string, Array<{ key: string; line: number; message: RegExp }>]> = [
    ["runtime beside openrunner", "version: 1.0\nruntime: nodejs18\nopenrunner:\n  dockerfile: Dockerfile\n", [{ key: "runtime", line: 2, message: /cannot be used with openrunner/ }]],
    ["no version", "openrunner:\n  dockerfile: Dockerfile\n", [{ key: "version", line: 1, message: /version is required/ }]],
    ["an unknown member", "version: 1.0\nopenrunner:\n  dockerfile: Dockerfile\n  context: x\n", [{ key: "openrunner.context", line: 4, message: /unknown key openrunner\.context/ }]],
    ["a Dockerfile outside the source", "version: 1.0\nopenrunner:\n  dockerfile: ../Dockerfile\n", [{ key: "openrunner.dockerfile", line: 3, message: /inside the source directory/ }]],
    ["an absolute Dockerfile path", "version: 1.0\nopenrunner:\n  dockerfile: /etc/passwd\n", [{ key: "openrunner.dockerfile", line: 3, message: /inside the source directory/ }]],
    ["a bad stage name", "version: 1.0\nopenrunner:\n  target: 'a b'\n", [{ key: "openrunner.target", line: 3, message: /not a stage name/ }]],
    ["build-args as a mapping", "version: 1.0\nopenrunner:\n  build-args:\n    A: b\n", [{ key: "openrunner.build-args", line: 4, message: /list of/ }]],
    ["openrunner as a string", "version: 1.0\nopenrunner: dockerfile\n", [{ key: "openrunner", line: 2, message: /must be a mapping/ }]],
  ];
  for (const [name, text, want] of problems) {
    it(`refused: ${name}`, () => {
      const got = chooseBuild({ configurationSource: "REPOSITORY", apprunnerYaml: text, hasDockerfile: true });
      assert.equal(got.kind, "invalid");
      if (got.kind !== "invalid") return;
      assert.equal(got.problems.length, want.length, JSON.stringify(got.problems));
      want.forEach((w, i) => {
        assert.equal(got.problems[i]?.key, w.key);
        assert.equal(got.problems[i]?.line, w.line);
        assert.match(got.problems[i]?.message ?? "", w.message);
      });
    });
  }

  it("App Runner's own parser still refuses the openrunner key (the extension only takes files App Runner refuses)", () => {
    const got = parseApprunnerYaml("version: 1.0\nruntime: nodejs18\nrun:\n  command: node server.js\nopenrunner:\n  dockerfile: Dockerfile\n");
    assert.equal(got.plan, undefined);
    assert.match(got.problems.map((p) => p.message).join("\n"), /unknown key openrunner/);
  });
});
