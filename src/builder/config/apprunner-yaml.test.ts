import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BuildPlan, ConfigProblem } from "../types.js";
import { parseApprunnerYaml } from "./apprunner-yaml.js";
import { FILE_KEY } from "./apprunner-yaml-reader.js";
import { chooseVersion } from "./runtime-version.js";

const plan = (text: string): BuildPlan => {
  const got = parseApprunnerYaml(text);
  assert.deepEqual(got.problems, []);
  assert.ok(got.plan);
  return got.plan;
};

/** The one problem a file has: its key, line and something its message says. */
const oneProblem = (text: string): ConfigProblem => {
  const got = parseApprunnerYaml(text);
  assert.equal(got.plan, undefined);
  assert.equal(got.problems.length, 1, JSON.stringify(got.problems, null, 1));
  const [p] = got.problems;
  assert.ok(p);
  return p;
};

const MINIMAL_BASE = { preBuild: [], postBuild: [], buildEnv: {}, preRun: [], port: 8080, runEnv: {} };

// The guide's own files, from "Configuration file examples" and the Python and Node.js chapters.
// Where the guide's text lost indentation at a page break, the file is the one the text means.
describe("the guide's example files", () => {
  it("Minimal configuration file (python3)", () => {
    const text = `version: 1.0
runtime: python3
build:
  commands:
    build:
      - pip install pipenv
      - pipenv install
run:
  command: python app.py
`;
    assert.deepEqual(plan(text), {
      ...MINIMAL_BASE,
      source: "apprunner.yaml",
      runtime: "PYTHON_3",
      build: ["pip install pipenv", "pipenv install"],
      startCommand: "python app.py",
    });
  });

  it("Complete configuration file (python3, every key)", () => {
    const text = `version: 1.0
runtime: python3
build:
  commands:
    pre-build:
      - wget -c https://s3.amazonaws.com/DOC-EXAMPLE-BUCKET/test-lib.tar.gz -O - | tar -xz
    build:
      - pip install pipenv
      - pipenv install
    post-build:
      - python manage.py test
  env:
    - name: DJANGO_SETTINGS_MODULE
      value: "django_apprunner.settings"
    - name: MY_VAR_EXAMPLE
      value: "example"
run:
  runtime-version: 3.7.7
  command: pipenv run gunicorn django_apprunner.wsgi --log-file -
  network:
    port: 8000
    env: MY_APP_PORT
  env:
    - name: MY_VAR_EXAMPLE
      value: "example"
`;
    assert.deepEqual(plan(text), {
      source: "apprunner.yaml",
      runtime: "PYTHON_3",
      runtimeVersion: "3.7.7",
      preBuild: ["wget -c https://s3.amazonaws.com/DOC-EXAMPLE-BUCKET/test-lib.tar.gz -O - | tar -xz"],
      build: ["pip install pipenv", "pipenv install"],
      postBuild: ["python manage.py test"],
      buildEnv: { DJANGO_SETTINGS_MODULE: "django_apprunner.settings", MY_VAR_EXAMPLE: "example" },
      preRun: [],
      startCommand: "pipenv run gunicorn django_apprunner.wsgi --log-file -",
      port: 8000,
      portEnv: "MY_APP_PORT",
      runEnv: { MY_VAR_EXAMPLE: "example" },
    });
  });

  it("the complete file's runtime-version 3.7.7 then fails on this host, at its line", () => {
    const text = `version: 1.0
runtime: python3
build:
  commands:
    build: pip install -r requirements.txt
run:
  runtime-version: 3.7.7
  command: python server.py
`;
    const got = parseApprunnerYaml(text);
    assert.ok(got.plan);
    const choice = chooseVersion(got.plan.runtime, got.plan.runtimeVersion, ["3.11.2"]);
    assert.ok(choice.problem);
    assert.equal(choice.problem.key, "run.runtime-version");
    assert.equal(got.keyLines[choice.problem.key], 7);
    assert.match(choice.problem.message, /3\.7\.7 cannot be provided; available: 3\.11\.2/);
  });

  it("End to end Python application (pyramid)", () => {
    const text = `version: 1.0
runtime: python3
build:
  commands:
    build:
      - pip install -r requirements.txt
run:
  command: python server.py
`;
    assert.deepEqual(plan(text), {
      ...MINIMAL_BASE,
      source: "apprunner.yaml",
      runtime: "PYTHON_3",
      build: ["pip install -r requirements.txt"],
      startCommand: "python server.py",
    });
  });

  it("the end to end Python file as the guide's text indents it (run under build) is caught", () => {
    const text = `version: 1.0
runtime: python3
build:
  commands:
    build:
      - pip install -r requirements.txt
  run:
    command: python server.py
`;
    const got = parseApprunnerYaml(text);
    assert.equal(got.plan, undefined);
    assert.deepEqual(
      got.problems.map((p) => [p.key, p.line]),
      [
        ["run", 1],
        ["build.run", 7],
      ],
    );
    assert.match(got.problems[1]?.message ?? "", /unknown key build\.run; allowed in build: commands, env/);
    assert.match(got.problems[0]?.message ?? "", /run is required/);
  });

  it("Minimal Node.js configuration file (nodejs12)", () => {
    const text = `version: 1.0
runtime: nodejs12
build:
  commands:
    build:
      - npm install --production
run:
  command: node app.js
`;
    assert.deepEqual(plan(text), {
      ...MINIMAL_BASE,
      source: "apprunner.yaml",
      runtime: "NODEJS_12",
      build: ["npm install --production"],
      startCommand: "node app.js",
    });
  });

  it("Extended Node.js configuration file (nodejs12, every key)", () => {
    const text = `version: 1.0
runtime: nodejs12
build:
  commands:
    pre-build:
      - npm install --only=dev
      - node test.js
    build:
      - npm install --production
    post-build:
      - node node_modules/ejs/postinstall.js
  env:
    - name: MY_VAR_EXAMPLE
      value: "example"
run:
  runtime-version: 12.18.4
  command: node app.js
  network:
    port: 8000
    env: APP_PORT
  env:
    - name: MY_VAR_EXAMPLE
      value: "example"
`;
    assert.deepEqual(plan(text), {
      source: "apprunner.yaml",
      runtime: "NODEJS_12",
      runtimeVersion: "12.18.4",
      preBuild: ["npm install --only=dev", "node test.js"],
      build: ["npm install --production"],
      postBuild: ["node node_modules/ejs/postinstall.js"],
      buildEnv: { MY_VAR_EXAMPLE: "example" },
      preRun: [],
      startCommand: "node app.js",
      port: 8000,
      portEnv: "APP_PORT",
      runEnv: { MY_VAR_EXAMPLE: "example" },
    });
  });

  it("Node.js app with Grunt", () => {
    const text = `version: 1.0
runtime: nodejs12
build:
  commands:
    pre-build:
      - npm install grunt grunt-cli
      - npm install --only=dev
      - npm run build
    build:
      - npm install --production
run:
  runtime-version: 12.18.4
  command: node app.js
  network:
    port: 8000
    env: APP_PORT
`;
    const p = plan(text);
    assert.deepEqual(p.preBuild, ["npm install grunt grunt-cli", "npm install --only=dev", "npm run build"]);
    assert.equal(p.port, 8000);
    assert.equal(p.portEnv, "APP_PORT");
    assert.equal(p.runtimeVersion, "12.18.4");
  });

  it("the Grunt file as the guide's text indents it (env: APP_PORT under run) is caught", () => {
    const text = `version: 1.0
runtime: nodejs12
build:
  commands:
    pre-build:
      - npm install grunt grunt-cli
      - npm install --only=dev
      - npm run build
    build:
      - npm install --production
run:
  runtime-version: 12.18.4
  command: node app.js
  network:
    port: 8000
  env: APP_PORT
`;
    const p = oneProblem(text);
    assert.equal(p.key, "run.env");
    assert.equal(p.line, 16);
    assert.match(p.message, /run\.env must be a list of "- name: MY_VAR"/);
  });

  it("the reference's snippets: pre-build with yum, runtime-version 3.7", () => {
    const text = `version: 1.0
runtime: python3
build:
  commands:
    pre-build:
      - yum install openssl
    build:
      - pip install -r requirements.txt
    post-build:
      - python manage.py test
run:
  runtime-version: 3.7
  command: python app.py
`;
    const p = plan(text);
    assert.equal(p.runtimeVersion, "3.7");
    assert.deepEqual(p.preBuild, ["yum install openssl"]);
  });
});

describe("every key", () => {
  const file = (run: string, build = "  commands:\n    build: npm ci\n", top = "version: 1.0\nruntime: nodejs18\n"): string => `${top}build:\n${build}run:\n${run}`;

  it("runtime names map to the API's runtimes", () => {
    const table: [string, BuildPlan["runtime"]][] = [
      ["python3", "PYTHON_3"],
      ["python311", "PYTHON_311"],
      ["nodejs12", "NODEJS_12"],
      ["nodejs14", "NODEJS_14"],
      ["nodejs16", "NODEJS_16"],
      ["nodejs18", "NODEJS_18"],
      ["nodejs22", "NODEJS_22"],
    ];
    for (const [name, runtime] of table) {
      assert.equal(plan(file("  command: start\n", undefined, `version: 1.0\nruntime: ${name}\n`)).runtime, runtime, name);
    }
  });

  it("version may be written 1.0, 1, or quoted", () => {
    for (const v of ["1.0", "1", '"1.0"', "'1'"]) {
      assert.equal(plan(file("  command: start\n", undefined, `version: ${v}\nruntime: nodejs18\n`)).runtime, "NODEJS_18", v);
    }
  });

  it("commands as a single string or a list", () => {
    const p = plan(file("  command: npm start\n", "  commands:\n    pre-build: npm ci\n    build:\n      - npm run build\n      - npm test\n    post-build: npm prune --production\n"));
    assert.deepEqual([p.preBuild, p.build, p.postBuild], [["npm ci"], ["npm run build", "npm test"], ["npm prune --production"]]);
  });

  it("an empty build list is allowed", () => {
    assert.deepEqual(plan(file("  command: python app.py\n", "  commands:\n    build: []\n")).build, []);
  });

  it("a multi-line command block stays one command", () => {
    const p = plan(file("  command: npm start\n", "  commands:\n    build:\n      - |\n        npm ci\n        npm run build\n"));
    assert.deepEqual(p.build, ["npm ci\nnpm run build\n"]);
  });

  it("quoted commands with ': ' and '#' are kept whole", () => {
    const p = plan(file("  command: \"node -e 'console.log(1)' # not a comment\"\n", "  commands:\n    build:\n      - 'echo a: b'\n"));
    assert.deepEqual(p.build, ["echo a: b"]);
    assert.equal(p.startCommand, "node -e 'console.log(1)' # not a comment");
  });

  it("build.env and run.env, values kept as written", () => {
    const p = plan(
      file(
        "  command: npm start\n  env:\n    - name: RATIO\n      value: 1.10\n    - name: ON\n      value: true\n    - name: EMPTY\n      value: \"\"\n    - name: NULL_IS_EMPTY\n      value:\n",
        "  commands:\n    build: npm ci\n  env:\n    - name: NODE_ENV\n      value: production\n    - name: COUNT\n      value: 3\n",
      ),
    );
    assert.deepEqual(p.buildEnv, { NODE_ENV: "production", COUNT: "3" });
    assert.deepEqual(p.runEnv, { RATIO: "1.10", ON: "true", EMPTY: "", NULL_IS_EMPTY: "" });
  });

  it("an empty env is no variables", () => {
    assert.deepEqual(plan(file("  command: npm start\n  env:\n")).runEnv, {});
    assert.deepEqual(plan(file("  command: npm start\n  env: []\n")).runEnv, {});
  });

  it("run.network.port as a number or a string, default 8080", () => {
    assert.equal(plan(file("  command: npm start\n  network:\n    port: 3000\n")).port, 3000);
    assert.equal(plan(file("  command: npm start\n  network:\n    port: \"3000\"\n")).port, 3000);
    assert.equal(plan(file("  command: npm start\n  network:\n    env: MY_PORT\n")).port, 8080);
    assert.equal(plan(file("  command: npm start\n  network:\n    env: MY_PORT\n")).portEnv, "MY_PORT");
    assert.equal(plan(file("  command: npm start\n")).port, 8080);
    assert.equal(plan(file("  command: npm start\n")).portEnv, undefined);
  });

  it("run.runtime-version kept as written: 18, 18.19, 18.19.1, and 3.10 is not 3.1", () => {
    for (const v of ["18", "18.19", "18.19.1", '"18.20"']) {
      assert.equal(plan(file(`  runtime-version: ${v}\n  command: npm start\n`)).runtimeVersion, v.replaceAll('"', ""), v);
    }
    const py = plan(file("  runtime-version: 3.10\n  command: python app.py\n", undefined, "version: 1.0\nruntime: python3\n"));
    assert.equal(py.runtimeVersion, "3.10");
    assert.equal(plan(file("  command: npm start\n")).runtimeVersion, undefined);
  });

  it("run.pre-run as a list or a single command", () => {
    assert.deepEqual(plan(file("  pre-run:\n    - apt-get install -y jq\n    - mkdir -p /app/cache\n  command: npm start\n")).preRun, [
      "apt-get install -y jq",
      "mkdir -p /app/cache",
    ]);
    assert.deepEqual(plan(file("  pre-run: mkdir -p /app/cache\n  command: npm start\n")).preRun, ["mkdir -p /app/cache"]);
  });

  it("anchors and aliases are followed", () => {
    const text = `version: 1.0
runtime: nodejs18
build:
  commands:
    build: npm ci
  env: &shared
    - name: A
      value: "1"
run:
  command: npm start
  env: *shared
`;
    assert.deepEqual(plan(text).runEnv, { A: "1" });
  });

  it("comments, blank lines and CRLF line endings", () => {
    const text = "# my service\r\n\r\nversion: 1.0 # file version\r\nruntime: nodejs18\r\nbuild:\r\n  commands:\r\n    build: npm ci\r\nrun:\r\n  command: npm start\r\n  bogus: 1\r\n";
    const p = oneProblem(text);
    assert.deepEqual([p.key, p.line], ["run.bogus", 10]);
  });

  it("keyLines tells where each key is", () => {
    const got = parseApprunnerYaml(file("  runtime-version: 18\n  command: npm start\n"));
    assert.equal(got.keyLines["runtime"], 2);
    assert.equal(got.keyLines["build.commands.build"], 5);
    assert.equal(got.keyLines["run.runtime-version"], 7);
  });
});

interface Mistake {
  name: string;
  text: string;
  key: string;
  line: number;
  says: RegExp;
  /** How many problems the file has in all (1 unless said). */
  count?: number;
}

const T = "version: 1.0\nruntime: nodejs18\n"; // lines 1-2
const B = "build:\n  commands:\n    build: npm ci\n"; // lines 3-5 after T
const R = "run:\n  command: npm start\n"; // lines 6-7 after T + B

const mistakes: Mistake[] = [
  // The file as a whole.
  { name: "an empty file", text: "", key: FILE_KEY, line: 1, says: /apprunner\.yaml is empty; it needs version: 1\.0, runtime, build and run/ },
  { name: "only comments", text: "# nothing here\n", key: FILE_KEY, line: 1, says: /is empty/ },
  { name: "a list at the top", text: "- version: 1.0\n", key: FILE_KEY, line: 1, says: /apprunner\.yaml must be a mapping of version, runtime, build, run/ },
  { name: "a plain word", text: "hello\n", key: FILE_KEY, line: 1, says: /must be a mapping/ },
  // YAML syntax, from the yaml library, with the key around the error.
  { name: "an unclosed flow list", text: `${T}build:\n  commands:\n    build: [npm ci\n${R}`, key: "run", line: 6, says: /YAML syntax error: .*Flow sequence/ },
  { name: "a tab for indentation", text: `${T}build:\n\tcommands: x\n${R}`, key: FILE_KEY, line: 4, says: /YAML syntax error: Tabs are not allowed as indentation/ },
  { name: "a duplicate key", text: `${T}${B}${R}runtime: python3\n`, key: "runtime", line: 8, says: /YAML syntax error: Map keys must be unique/ },
  { name: "two documents", text: `${T}${B}${R}---\nversion: 1.0\n`, key: FILE_KEY, line: 8, says: /YAML syntax error: .*multiple documents/ },
  { name: "a bad nested mapping", text: `${T}${B}run:\n  command: a: b\n`, key: "run.command.a", line: 7, says: /YAML syntax error: Nested mappings/ },
  // version.
  { name: "version missing", text: `runtime: nodejs18\n${B}${R}`, key: "version", line: 1, says: /^version is required: add version: 1\.0$/ },
  { name: "version 2.0", text: `version: 2.0\nruntime: nodejs18\n${B}${R}`, key: "version", line: 1, says: /^version 2\.0 is not supported; use version: 1\.0$/ },
  { name: "version 1.1", text: `version: 1.1\nruntime: nodejs18\n${B}${R}`, key: "version", line: 1, says: /version 1\.1 is not supported/ },
  { name: "version as a list", text: `version: [1.0]\nruntime: nodejs18\n${B}${R}`, key: "version", line: 1, says: /use version: 1\.0/ },
  { name: "version empty", text: `version:\nruntime: nodejs18\n${B}${R}`, key: "version", line: 1, says: /use version: 1\.0/ },
  // runtime.
  { name: "runtime missing", text: `version: 1.0\n${B}${R}`, key: "runtime", line: 1, says: /^runtime is required; supported: python3, python311, nodejs12, nodejs14, nodejs16, nodejs18, nodejs22$/ },
  { name: "runtime corretto11", text: `version: 1.0\nruntime: corretto11\n${B}${R}`, key: "runtime", line: 2, says: /^runtime corretto11 is not supported by OpenRunner yet; supported: python3, python311, nodejs12/ },
  { name: "runtime corretto8", text: `version: 1.0\nruntime: corretto8\n${B}${R}`, key: "runtime", line: 2, says: /corretto8 is not supported by OpenRunner yet/ },
  { name: "runtime go1", text: `version: 1.0\nruntime: go1\n${B}${R}`, key: "runtime", line: 2, says: /go1 is not supported by OpenRunner yet/ },
  { name: "runtime dotnet6", text: `version: 1.0\nruntime: dotnet6\n${B}${R}`, key: "runtime", line: 2, says: /dotnet6 is not supported by OpenRunner yet/ },
  { name: "runtime php81", text: `version: 1.0\nruntime: php81\n${B}${R}`, key: "runtime", line: 2, says: /php81 is not supported by OpenRunner yet/ },
  { name: "runtime ruby31", text: `version: 1.0\nruntime: ruby31\n${B}${R}`, key: "runtime", line: 2, says: /ruby31 is not supported by OpenRunner yet/ },
  { name: "runtime nodejs20 (not an App Runner runtime)", text: `version: 1.0\nruntime: nodejs20\n${B}${R}`, key: "runtime", line: 2, says: /^runtime nodejs20 is not a known runtime; supported: python3/ },
  { name: "runtime in the API's spelling", text: `version: 1.0\nruntime: NODEJS_18\n${B}${R}`, key: "runtime", line: 2, says: /NODEJS_18 is not a known runtime/ },
  { name: "runtime as a list", text: `version: 1.0\nruntime:\n  - python3\n${B}${R}`, key: "runtime", line: 3, says: /runtime must be a runtime name \(python3, .*\), not a list/ },
  // Unknown keys, at every level.
  { name: "an unknown top-level key", text: `${T}${B}${R}Run:\n  command: x\n`, key: "Run", line: 8, says: /^unknown key Run; allowed at the top level: version, runtime, build, run$/ },
  { name: "an unknown build key", text: `${T}build:\n  commands:\n    build: npm ci\n  cache: true\n${R}`, key: "build.cache", line: 6, says: /^unknown key build\.cache; allowed in build: commands, env$/ },
  { name: "an unknown build.commands key", text: `${T}build:\n  commands:\n    build: npm ci\n    prebuild: npm ci\n${R}`, key: "build.commands.prebuild", line: 6, says: /^unknown key build\.commands\.prebuild; allowed in build\.commands: pre-build, build, post-build$/ },
  { name: "an unknown run key", text: `${T}${B}${R}  start: npm start\n`, key: "run.start", line: 8, says: /allowed in run: runtime-version, command, network, env, pre-run, secrets$/ },
  { name: "an unknown run.network key", text: `${T}${B}${R}  network:\n    protocol: http\n`, key: "run.network.protocol", line: 9, says: /allowed in run\.network: port, env$/ },
  { name: "an unknown env entry key", text: `${T}build:\n  commands:\n    build: npm ci\n  env:\n    - name: A\n      val: b\n${R}`, key: "build.env[0].val", line: 8, says: /allowed in build\.env\[0\]: name, value$/, count: 2 },
  // build.
  { name: "build missing", text: `${T}${R}`, key: "build", line: 1, says: /^build is required: add build\.commands\.build/ },
  { name: "build empty", text: `${T}build:\n${R}`, key: "build", line: 3, says: /build needs commands/ },
  { name: "build as a list", text: `${T}build:\n  - npm ci\n${R}`, key: "build", line: 4, says: /build must be a mapping of commands, env/ },
  { name: "build.commands missing", text: `${T}build:\n  env: []\n${R}`, key: "build.commands", line: 3, says: /^build\.commands is required/ },
  { name: "build.commands empty", text: `${T}build:\n  commands:\n${R}`, key: "build.commands", line: 4, says: /build\.commands needs a build list/ },
  { name: "build.commands.build missing", text: `${T}build:\n  commands:\n    pre-build: npm ci\n${R}`, key: "build.commands.build", line: 4, says: /^build\.commands\.build is required/ },
  { name: "build.commands.build empty", text: `${T}build:\n  commands:\n    build:\n${R}`, key: "build.commands.build", line: 5, says: /needs a command or a list of commands/ },
  { name: "build.commands.build blank", text: `${T}build:\n  commands:\n    build: "  "\n${R}`, key: "build.commands.build", line: 5, says: /must be a command or a list of commands/ },
  { name: "an unquoted command with ': '", text: `${T}build:\n  commands:\n    build:\n      - npm ci\n      - echo result: ok\n${R}`, key: "build.commands.build[1]", line: 7, says: /is a mapping, not a command: quote the command if it contains ": "/ },
  { name: "a whole commands value with ': '", text: `${T}build:\n  commands:\n    build: {echo: ok}\n${R}`, key: "build.commands.build", line: 5, says: /is a mapping, not a command/ },
  { name: "an empty list item", text: `${T}build:\n  commands:\n    pre-build:\n      -\n    build: npm ci\n${R}`, key: "build.commands.pre-build[0]", line: 6, says: /is empty; write a command or remove the line/ },
  { name: "a nested list item", text: `${T}build:\n  commands:\n    build: npm ci\n    post-build:\n      - [a, b]\n${R}`, key: "build.commands.post-build[0]", line: 7, says: /must be a command \(a string\), not a list/ },
  // env lists.
  { name: "build.env as a mapping", text: `${T}build:\n  commands:\n    build: npm ci\n  env:\n    A: b\n${R}`, key: "build.env", line: 7, says: /build\.env must be a list of "- name: MY_VAR" \/ "value: \.\.\." entries, not a mapping/ },
  { name: "build.env as a string", text: `${T}build:\n  commands:\n    build: npm ci\n  env: A=b\n${R}`, key: "build.env", line: 6, says: /build\.env must be a list/ },
  { name: "an env entry without a value", text: `${T}${B}${R}  env:\n    - name: A\n`, key: "run.env[0].value", line: 9, says: /run\.env\[0\] needs a value \(use value: "" for an empty one\)/ },
  { name: "an env entry without a name", text: `${T}${B}${R}  env:\n    - value: b\n`, key: "run.env[0].name", line: 9, says: /run\.env\[0\] needs a name/ },
  { name: "an env entry that is a string", text: `${T}${B}${R}  env:\n    - A=b\n`, key: "run.env[0]", line: 9, says: /run\.env\[0\] must be a mapping of name, value/ },
  { name: "an env name with a space", text: `${T}${B}${R}  env:\n    - name: MY VAR\n      value: b\n`, key: "run.env[0].name", line: 9, says: /"MY VAR" is not a variable name/ },
  { name: "an env name with =", text: `${T}${B}${R}  env:\n    - name: A=B\n      value: b\n`, key: "run.env[0].name", line: 9, says: /is not a variable name/ },
  { name: "an env name that is a list", text: `${T}${B}${R}  env:\n    - name: [A]\n      value: b\n`, key: "run.env[0].name", line: 9, says: /must be a variable name such as MY_VAR, not a list/ },
  { name: "an env value that is a mapping", text: `${T}${B}${R}  env:\n    - name: A\n      value: {x: 1}\n`, key: "run.env[0].value", line: 10, says: /run\.env\[0\]\.value must be a string, not a mapping/ },
  { name: "a variable set twice", text: `${T}${B}${R}  env:\n    - name: A\n      value: "1"\n    - name: A\n      value: "2"\n`, key: "run.env[1].name", line: 11, says: /run\.env sets A twice \(also on line 9\); keep one/ },
  // run.
  { name: "run missing", text: `${T}${B}`, key: "run", line: 1, says: /^run is required: add run\.command/ },
  { name: "run empty", text: `${T}${B}run:\n`, key: "run", line: 6, says: /run needs a command/ },
  { name: "run as a string", text: `${T}${B}run: npm start\n`, key: "run", line: 6, says: /run must be a mapping of runtime-version, command/ },
  { name: "run.command missing", text: `${T}${B}run:\n  network:\n    port: 8000\n`, key: "run.command", line: 6, says: /^run\.command is required: the command that starts your application/ },
  { name: "run.command empty", text: `${T}${B}run:\n  command:\n`, key: "run.command", line: 7, says: /run\.command needs a value/ },
  { name: "run.command blank", text: `${T}${B}run:\n  command: ""\n`, key: "run.command", line: 7, says: /run\.command is empty/ },
  { name: "run.command as a list", text: `${T}${B}run:\n  command:\n    - npm\n    - start\n`, key: "run.command", line: 8, says: /run\.command must be the command that starts your application, not a list/ },
  // run.runtime-version.
  { name: "runtime-version of another major", text: `${T}${B}${R}  runtime-version: 16.20.2\n`, key: "run.runtime-version", line: 8, says: /16\.20\.2 is not a Node\.js 18 version \(runtime nodejs18\); use 18, 18\.<minor> or 18\.<minor>\.<patch>/ },
  { name: "runtime-version latest", text: `${T}${B}${R}  runtime-version: latest\n`, key: "run.runtime-version", line: 8, says: /latest is not a version; use major\[\.minor\[\.patch\]\]/ },
  { name: "runtime-version as a range", text: `${T}${B}${R}  runtime-version: ^18.19\n`, key: "run.runtime-version", line: 8, says: /is not a version/ },
  { name: "runtime-version for python311 of 3.12", text: `version: 1.0\nruntime: python311\n${B}${R}  runtime-version: 3.12\n`, key: "run.runtime-version", line: 8, says: /not a Python 3\.11 version \(runtime python311\)/ },
  // run.network.
  { name: "port 0", text: `${T}${B}${R}  network:\n    port: 0\n`, key: "run.network.port", line: 9, says: /^run\.network\.port must be a port number from 1 to 65535 \(default 8080\), not 0$/ },
  { name: "port 70000", text: `${T}${B}${R}  network:\n    port: 70000\n`, key: "run.network.port", line: 9, says: /not 70000/ },
  { name: "port a word", text: `${T}${B}${R}  network:\n    port: http\n`, key: "run.network.port", line: 9, says: /not http/ },
  { name: "port a fraction", text: `${T}${B}${R}  network:\n    port: 80.5\n`, key: "run.network.port", line: 9, says: /not 80\.5/ },
  { name: "port negative", text: `${T}${B}${R}  network:\n    port: -1\n`, key: "run.network.port", line: 9, says: /not -1/ },
  { name: "port a list", text: `${T}${B}${R}  network:\n    port: [8000]\n`, key: "run.network.port", line: 9, says: /port number from 1 to 65535/ },
  { name: "network as a number", text: `${T}${B}${R}  network: 8000\n`, key: "run.network", line: 8, says: /run\.network must be a mapping of port, env/ },
  { name: "network.env with a space", text: `${T}${B}${R}  network:\n    env: MY PORT\n`, key: "run.network.env", line: 9, says: /"MY PORT" is not a variable name/ },
  { name: "network.env a list", text: `${T}${B}${R}  network:\n    env: [A]\n`, key: "run.network.env", line: 9, says: /must be a variable name such as MY_APP_PORT, not a list/ },
  // run.pre-run.
  { name: "pre-run empty", text: `${T}${B}${R}  pre-run:\n`, key: "run.pre-run", line: 8, says: /needs a command or a list of commands/ },
  { name: "pre-run with ': '", text: `${T}${B}${R}  pre-run:\n    - echo a: b\n`, key: "run.pre-run[0]", line: 9, says: /is a mapping, not a command/ },
  // run.secrets.
  { name: "secrets a mapping", text: `${T}${B}${R}  secrets:\n    DB: x\n`, key: "run.secrets", line: 9, says: /must be a list of "- name: MY_SECRET".*, not a mapping/ },
  { name: "a secret without value-from", text: `${T}${B}${R}  secrets:\n    - name: DB\n`, key: "run.secrets[0].value-from", line: 9, says: /needs a value-from/ },
  { name: "a secret with value", text: `${T}${B}${R}  secrets:\n    - name: DB\n      value: x\n`, key: "run.secrets[0].value", line: 10, says: /unknown key run\.secrets\[0\]\.value; allowed in run\.secrets\[0\]: name, value-from/, count: 2 },
  {
    name: "a secret whose value-from points nowhere",
    text: `${T}${B}${R}  secrets:\n    - name: DB\n      value-from: arn:aws:s3:us-east-1:123456789012:bucket\n`,
    key: "run.secrets[0].value-from",
    line: 10,
    says: /^run\.secrets\[0\]\.value-from of DB is an ARN of s3, not of Secrets Manager or SSM/,
  },
  {
    name: "a secret's JSON key without stage and version parts",
    text: `${T}${B}${R}  secrets:\n    - name: U\n      value-from: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:username\n`,
    key: "run.secrets[0].value-from",
    line: 10,
    says: /has 1 part after the secret's ARN/,
  },
  { name: "a secret named PORT", text: `${T}${B}${R}  secrets:\n    - name: PORT\n      value-from: /p\n`, key: "run.secrets[0].name", line: 9, says: /PORT is reserved/ },
  { name: "a secret with App Runner's prefix", text: `${T}${B}${R}  secrets:\n    - name: AWSAPPRUNNER_X\n      value-from: /p\n`, key: "run.secrets[0].name", line: 9, says: /prefix AWSAPPRUNNER/ },
  {
    name: "a secret that run.env sets in clear",
    text: `${T}${B}${R}  env:\n    - name: DB\n      value: x\n  secrets:\n    - name: DB\n      value-from: /db\n`,
    key: "run.secrets[0].name",
    line: 12,
    says: /DB is also a plain environment variable/,
  },
  {
    name: "a secret set twice",
    text: `${T}${B}${R}  secrets:\n    - name: DB\n      value-from: /a\n    - name: DB\n      value-from: /b\n`,
    key: "run.secrets[1].name",
    line: 11,
    says: /sets DB twice \(also on line 9\)/,
  },
];

describe("every mistake names its key and line", () => {
  for (const m of mistakes) {
    it(m.name, () => {
      const got = parseApprunnerYaml(m.text);
      assert.equal(got.plan, undefined);
      assert.equal(got.problems.length, m.count ?? 1, JSON.stringify(got.problems, null, 1));
      const p = got.problems.find((q) => q.key === m.key);
      assert.ok(p, `no problem for ${m.key}: ${JSON.stringify(got.problems)}`);
      assert.equal(p.line, m.line, `${p.key}: ${p.message}`);
      assert.match(p.message, m.says);
    });
  }

  it("several mistakes are all reported, in line order", () => {
    const text = `version: 2
runtime: go1
build:
  commands:
    prebuild: x
run:
  network:
    port: 0
  secrets: 5
`;
    const got = parseApprunnerYaml(text);
    assert.equal(got.plan, undefined);
    assert.deepEqual(
      got.problems.map((p) => [p.key, p.line]),
      [
        ["version", 1],
        ["runtime", 2],
        ["build.commands.build", 4],
        ["build.commands.prebuild", 5],
        ["run.command", 6],
        ["run.network.port", 8],
        ["run.secrets", 9],
      ],
    );
  });

  it("every problem has a key and a 1-based line", () => {
    for (const m of mistakes) {
      for (const p of parseApprunnerYaml(m.text).problems) {
        assert.ok(p.key.length > 0, m.name);
        assert.ok(Number.isInteger(p.line) && (p.line ?? 0) >= 1, m.name);
      }
    }
  });
});

describe("run.secrets: references the built image carries, never values", () => {
  it("a secret, a JSON key of a secret and parameters, by name and ARN", () => {
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:testingstackAppRunnerConstr-kJFXde2ULKbT-S7t8xR";
    const text = `${T}${B}${R}  env:
    - name: LOG_LEVEL
      value: info
  secrets:
    - name: DB_PASSWORD
      value-from: ${secret}
    - name: DB_USER
      value-from: "${secret}:username::"
    - name: API_KEY
      value-from: arn:aws:ssm:us-east-1:123456789012:parameter/app/api-key
    - name: FLAG
      value-from: /app/flag
`;
    const got = parseApprunnerYaml(text);
    assert.deepEqual(got.problems, []);
    assert.deepEqual(got.plan?.secrets, {
      DB_PASSWORD: secret,
      DB_USER: `${secret}:username::`,
      API_KEY: "arn:aws:ssm:us-east-1:123456789012:parameter/app/api-key",
      FLAG: "/app/flag",
    });
    assert.deepEqual(got.plan?.runEnv, { LOG_LEVEL: "info" });
    assert.equal(got.keyLines["run.secrets"], 11);
  });

  it("an empty run.secrets is no secret", () => {
    const got = parseApprunnerYaml(`${T}${B}${R}  secrets: []\n`);
    assert.deepEqual(got.problems, []);
    assert.equal(got.plan?.secrets, undefined);
  });
});
