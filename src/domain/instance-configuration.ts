import { invalidRequest } from "../errors/app-runner-error.js";

/** CPU in units and memory in MB, as App Runner reports them back. */
const CPU_UNITS: Record<string, string> = { "0.25 vCPU": "256", "0.5 vCPU": "512", "1 vCPU": "1024", "2 vCPU": "2048", "4 vCPU": "4096" };
const MEMORY_MB: Record<string, string> = {
  "0.5 GB": "512",
  "1 GB": "1024",
  "2 GB": "2048",
  "3 GB": "3072",
  "4 GB": "4096",
  "6 GB": "6144",
  "8 GB": "8192",
  "10 GB": "10240",
  "12 GB": "12288",
};

/** The only CPU/memory combinations App Runner offers. */
export const VALID_PAIRS: Readonly<Record<string, readonly string[]>> = {
  "256": ["512", "1024"],
  "512": ["1024"],
  "1024": ["2048", "3072", "4096"],
  "2048": ["4096", "6144"],
  "4096": ["8192", "10240", "12288"],
};

export const DEFAULT_CPU = "1024";
export const DEFAULT_MEMORY = "2048";

export const normalizeCpu = (cpu: string): string => CPU_UNITS[cpu] ?? cpu;
export const normalizeMemory = (memory: string): string => MEMORY_MB[memory] ?? memory;

const describeCpu = (units: string): string => `${Number(units) / 1024} vCPU`;
const describeMemory = (mb: string): string => `${Number(mb) / 1024} GB`;

/** Returns the normalized pair or throws InvalidRequestException listing what would work. */
export function resolveCpuMemory(cpu: string | undefined, memory: string | undefined): { cpu: string; memory: string } {
  const c = normalizeCpu(cpu ?? DEFAULT_CPU);
  const m = normalizeMemory(memory ?? DEFAULT_MEMORY);
  const allowed = VALID_PAIRS[c];
  if (!allowed || !allowed.includes(m)) {
    const options = (allowed ?? []).map(describeMemory).join(", ");
    throw invalidRequest(
      `The combination of CPU ${describeCpu(c)} and memory ${describeMemory(m)} is not supported. ` +
        (options ? `With ${describeCpu(c)}, choose memory of ${options}.` : "Choose a supported CPU value."),
    );
  }
  return { cpu: c, memory: m };
}
