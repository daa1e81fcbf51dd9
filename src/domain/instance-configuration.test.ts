import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { resolveCpuMemory } from "./instance-configuration.js";

/** App Runner's eleven CPU/memory combinations, as the console names them and as units/MB. */
const VALID: [cpu: string, memory: string, units: string, mb: string][] = [
  ["0.25 vCPU", "0.5 GB", "256", "512"],
  ["0.25 vCPU", "1 GB", "256", "1024"],
  ["0.5 vCPU", "1 GB", "512", "1024"],
  ["1 vCPU", "2 GB", "1024", "2048"],
  ["1 vCPU", "3 GB", "1024", "3072"],
  ["1 vCPU", "4 GB", "1024", "4096"],
  ["2 vCPU", "4 GB", "2048", "4096"],
  ["2 vCPU", "6 GB", "2048", "6144"],
  ["4 vCPU", "8 GB", "4096", "8192"],
  ["4 vCPU", "10 GB", "4096", "10240"],
  ["4 vCPU", "12 GB", "4096", "12288"],
];

describe("resolveCpuMemory accepts every App Runner combination", () => {
  for (const [cpu, memory, units, mb] of VALID) {
    it(`${cpu} / ${memory}`, () => {
      assert.deepEqual(resolveCpuMemory(cpu, memory), { cpu: units, memory: mb });
      assert.deepEqual(resolveCpuMemory(units, mb), { cpu: units, memory: mb });
      // The two spellings may be mixed in one request.
      assert.deepEqual(resolveCpuMemory(units, memory), { cpu: units, memory: mb });
    });
  }
  it("defaults to 1 vCPU / 2 GB, filling in whichever is missing", () => {
    assert.deepEqual(resolveCpuMemory(undefined, undefined), { cpu: "1024", memory: "2048" });
    assert.deepEqual(resolveCpuMemory("1 vCPU", undefined), { cpu: "1024", memory: "2048" });
    assert.deepEqual(resolveCpuMemory(undefined, "4 GB"), { cpu: "1024", memory: "4096" });
  });
});

describe("resolveCpuMemory refuses other combinations with InvalidRequest", () => {
  const cases: [cpu: string | undefined, memory: string | undefined, message: string][] = [
    ["0.25 vCPU", "2 GB", "With 0.25 vCPU, choose memory of 0.5 GB, 1 GB."],
    ["256", "2048", "The combination of CPU 0.25 vCPU and memory 2 GB is not supported."],
    ["0.5 vCPU", "0.5 GB", "With 0.5 vCPU, choose memory of 1 GB."],
    ["1 vCPU", "1 GB", "With 1 vCPU, choose memory of 2 GB, 3 GB, 4 GB."],
    ["1 vCPU", "6 GB", "With 1 vCPU, choose memory of 2 GB, 3 GB, 4 GB."],
    ["2 vCPU", "2 GB", "With 2 vCPU, choose memory of 4 GB, 6 GB."],
    ["2 vCPU", "8 GB", "With 2 vCPU, choose memory of 4 GB, 6 GB."],
    ["4 vCPU", "4 GB", "With 4 vCPU, choose memory of 8 GB, 10 GB, 12 GB."],
    ["4096", "6144", "The combination of CPU 4 vCPU and memory 6 GB is not supported."],
    ["2 vCPU", undefined, "The combination of CPU 2 vCPU and memory 2 GB is not supported."],
    [undefined, "12 GB", "The combination of CPU 1 vCPU and memory 12 GB is not supported."],
    ["3 vCPU", "6 GB", "Choose a supported CPU value."],
    ["8192", "16384", "Choose a supported CPU value."],
  ];
  for (const [cpu, memory, message] of cases) {
    it(`${cpu ?? "(default)"} / ${memory ?? "(default)"}`, () => {
      assert.throws(
        () => resolveCpuMemory(cpu, memory),
        (err: unknown) =>
          err instanceof AppRunnerError && err.code === "InvalidRequest" && err.awsType === "InvalidRequestException" && err.message.includes(message),
      );
    });
  }
});
