import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BuildahOutput, parseFailureLine, stepOf } from "./buildah-output.js";

describe("buildah output", () => {
  const steps: Array<[string, string | undefined]> = [
    ["STEP 1/4: FROM 127.0.0.1:5000/node:18", "FROM 127.0.0.1:5000/node:18"],
    ["[1/2] STEP 4/4: RUN npm ci", "RUN npm ci"],
    ["[2/2] STEP 2/4: COPY --from=build /src/out/ /app/", "COPY --from=build /src/out/ /app/"],
    ["--> Using cache 0a1b2c", undefined],
    ["npm WARN STEP 1/2: not a step", undefined],
  ];
  for (const [line, want] of steps) it(`stepOf ${JSON.stringify(line)}`, () => assert.equal(stepOf(line), want));

  const failures: Array<[string, ReturnType<typeof parseFailureLine>]> = [
    [
      'Error: building at STEP "RUN npm test": while running runtime: exit status 1',
      { step: "RUN npm test", exitCode: 1, why: "while running runtime: exit status 1" },
    ],
    [
      'error building at STEP "RUN echo hi && exit 3": exit status 3',
      { step: "RUN echo hi && exit 3", exitCode: 3, why: "exit status 3" },
    ],
    [
      'Error: building at STEP "COPY missing.txt /": checking on sources under "/ctx": copier: stat: "/missing.txt": no such file or directory',
      { step: "COPY missing.txt /", why: 'checking on sources under "/ctx": copier: stat: "/missing.txt": no such file or directory' },
    ],
    ["Error: creating build container: manifest unknown", undefined],
    ["plain output", undefined],
  ];
  for (const [line, want] of failures) it(`parseFailureLine ${JSON.stringify(line.slice(0, 50))}`, () => assert.deepEqual(parseFailureLine(line), want));

  const runs: Array<[string, string[], number, { message: string; step?: string; exitCode?: number }, number]> = [
    [
      "a RUN step exits non-zero",
      ["[1/2] STEP 1/3: FROM b AS build", "--> Using cache 0a1b", "[1/2] STEP 3/3: RUN npm test", "npm ERR! Test failed.", 'Error: building at STEP "RUN npm test": while running runtime: exit status 1'],
      1,
      { step: "RUN npm test", exitCode: 1, message: "Step RUN npm test failed with exit code 1" },
      1,
    ],
    [
      "the base image cannot be pulled (no failing-step line: the step that ran last and the error)",
      ["STEP 1/2: FROM 127.0.0.1:5000/nope:1", "Trying to pull 127.0.0.1:5000/nope:1...", "Error: creating build container: reading manifest 1 in 127.0.0.1:5000/nope: manifest unknown"],
      125,
      { step: "FROM 127.0.0.1:5000/nope:1", message: "Step FROM 127.0.0.1:5000/nope:1 failed: creating build container: reading manifest 1 in 127.0.0.1:5000/nope: manifest unknown" },
      0,
    ],
    [
      "a COPY of a missing file",
      ["STEP 2/2: COPY missing.txt /", 'Error: building at STEP "COPY missing.txt /": checking on sources: no such file or directory'],
      125,
      { step: "COPY missing.txt /", message: "Step COPY missing.txt /: failed: checking on sources: no such file or directory".replace("/: failed", "/ failed") },
      0,
    ],
    [
      "a RUN step whose command holds a quote and a colon",
      ['STEP 2/2: RUN node -e "x": y', 'Error: building at STEP "RUN node -e "x": y": while running runtime: exit status 2'],
      1,
      { step: 'RUN node -e "x": y', exitCode: 2, message: 'Step RUN node -e "x": y failed with exit code 2' },
      0,
    ],
    ["buildah is missing", ["nsenter: failed to execute buildah: No such file or directory"], 127, { message: "The Dockerfile build failed: buildah could not be started (is Debian's buildah package installed?)" }, 0],
    ["buildah dies before a step", [], 137, { message: "The Dockerfile build failed: buildah exited with 137" }, 0],
  ];
  for (const [name, lines, code, want, hits] of runs) {
    it(name, () => {
      const out = new BuildahOutput();
      lines.forEach((l) => out.feed(l));
      assert.deepEqual(out.failure(code), want);
      assert.equal(out.cacheHits, hits);
    });
  }
});
