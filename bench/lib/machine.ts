import { availableParallelism, cpus, totalmem } from "node:os";

export interface MachineFacts {
  date: string;
  node: string;
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
}

/** The facts a reader needs to compare numbers across runs. */
export function machineFacts(): MachineFacts {
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
  };
}
