/**
 * Memory: resident set size (VmRSS) and its peak (VmHWM) of `openrunner up`, read from
 * /proc/<pid>/status of the child this script starts — idle after start, idle after creating
 * services, and idle after a burst of API calls. Baseline in the same run: a bare node:http
 * server (`node -e "require('http').createServer().listen(0)"`), i.e. what Node alone costs.
 *
 *   node dist/bench/idle-rss.js [--services 25] [--idle-ms 5000] [--samples 5] [--out results.json]
 */
import { DescribeServiceCommand, ListServicesCommand } from "@aws-sdk/client-apprunner";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { spawnReady, type ReadyChild } from "./lib/child.js";
import { runLoad } from "./lib/load.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, createServices, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { sampleMemory, sleep, type MemorySample } from "./lib/proc-status.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: {
    services: { type: "string", default: "25" },
    "idle-ms": { type: "string", default: "5000" },
    samples: { type: "string", default: "5" },
    "burst-requests": { type: "string", default: "2000" },
    out: { type: "string" },
  },
});
const SERVICES = Number(args.services);
const IDLE_MS = Number(args["idle-ms"]);
const SAMPLES = Number(args.samples);
const BURST = Number(args["burst-requests"]);
for (const [name, v] of Object.entries({ SERVICES, IDLE_MS, SAMPLES, BURST })) {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
}

/** The same listener as the baseline, bound to loopback, announcing itself like openrunner. */
const BARE_NODE = `require('http').createServer().listen(0, '127.0.0.1', () => console.log('ready:'))`;

interface Row {
  process: "openrunner" | "bare node:http";
  phase: string;
  samples: MemorySample[];
  rssMedianMiB: number;
  rssMaxMiB: number;
  hwmMiB: number;
}

function row(process: Row["process"], phase: string, samples: MemorySample[]): Row {
  const rss = samples.map((s) => s.rssMiB).sort((a, b) => a - b);
  return {
    process,
    phase,
    samples,
    rssMedianMiB: percentile(rss, 50),
    rssMaxMiB: rss[rss.length - 1] ?? Number.NaN,
    hwmMiB: Math.max(...samples.map((s) => s.hwmMiB)),
  };
}

async function main(): Promise<void> {
  const machine = machineFacts();
  let openrunner: BenchOpenRunner | undefined;
  let bare: ReadyChild | undefined;
  const rows: Row[] = [];
  try {
    [openrunner, bare] = await Promise.all([startOpenRunnerChild(), spawnReady(["-e", BARE_NODE])]);
    const orPid = openrunner.server.pid;
    const barePid = bare.pid;
    // Sample both at the same moments so they see the same machine.
    const both = async (phase: string): Promise<void> => {
      await sleep(IDLE_MS);
      const [o, b] = await Promise.all([sampleMemory(orPid, SAMPLES, 1000), sampleMemory(barePid, SAMPLES, 1000)]);
      rows.push(row("openrunner", phase, o), row("bare node:http", phase, b));
    };
    await both(`idle ${IDLE_MS / 1000} s after ready`);

    const client = benchClient(openrunner.endpoint, openrunner.credentials, 16);
    try {
      const arns = await createServices(client, SERVICES);
      await both(`idle after creating ${SERVICES} services`);
      if (BURST > 0) {
        await runLoad((i) => client.send(new DescribeServiceCommand({ ServiceArn: arns[i % arns.length] })), { concurrency: 16, requests: BURST });
        await runLoad(() => client.send(new ListServicesCommand({ MaxResults: 20 })), { concurrency: 16, requests: BURST });
        await both(`idle after ${BURST} DescribeService + ${BURST} ListServices`);
      }
    } finally {
      client.destroy();
    }

    const table = markdownTable(
      ["process", "phase", "VmRSS median MiB", "VmRSS max MiB", "VmHWM MiB"],
      rows.map((r) => [r.process, r.phase, fmt(r.rssMedianMiB, 1), fmt(r.rssMaxMiB, 1), fmt(r.hwmMiB, 1)]),
    );
    process.stdout.write(
      `## Memory (${machine.date})\n\n` +
        `node ${machine.node}, ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}; ` +
        `${SAMPLES} samples 1 s apart after ${IDLE_MS / 1000} s idle per phase.\n\n${table}\n`,
    );
    if (args.out) {
      const config = { services: SERVICES, idleMs: IDLE_MS, samples: SAMPLES, burstRequests: BURST };
      writeFileSync(args.out, `${JSON.stringify({ machine, config, rows }, null, 2)}\n`);
    }
  } finally {
    await bare?.stop();
    await openrunner?.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`idle-rss: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
