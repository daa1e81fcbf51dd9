import type { ReactNode } from "react";
import { secretsRecord } from "../../api/secret-references";
import { toRecord } from "../../components/KeyValueEditor";
import { codeFromApi, RUNTIMES, type StepKey, type WizardState } from "./model";

type Rows = [string, string][];

function sourceRows(s: WizardState): Rows {
  const trigger: [string, string] = ["Deployment trigger", s.deployment === "automatic" ? "Automatic" : "Manual"];
  if (s.sourceKind === "image") {
    return [["Repository type", "Container registry"], ["Image URI", s.imageUri || "—"], ["Provider", s.repositoryType], trigger];
  }
  return [
    ["Repository type", "Source code repository"],
    ["Repository URL", s.repositoryUrl || "—"],
    ["Connection", s.connectionArn || "None"],
    ["Branch", s.branch || "—"],
    ["Source directory", s.sourceDirectory || "/"],
    trigger,
  ];
}

function buildRows(s: WizardState): Rows {
  if (!codeFromApi(s)) return [["Configuration", "Configuration file (apprunner.yaml)"]];
  return [
    ["Configuration", "All settings here"],
    ["Runtime", RUNTIMES.find((r) => r.value === s.runtime)?.label ?? s.runtime],
    ["Build command", s.buildCommand || "None"],
    ["Start command", s.startCommand || "—"],
    ["Port", s.port || "—"],
  ];
}

function serviceRows(s: WizardState): Rows {
  const [cpu, memory] = s.cpuMemory.split("|");
  const env = Object.entries(toRecord(s.env));
  const image = s.sourceKind === "image";
  return [
    ["Service name", s.name || "—"],
    ["Virtual CPU & memory", `${cpu ?? ""} / ${memory ?? ""}`],
    ...(image ? ([["Port", s.port || "—"], ["Start command", s.startCommand || "(image default)"]] as Rows) : []),
    ["Environment variables", image || codeFromApi(s) ? (env.length ? env.map(([k, v]) => `${k}=${v}`).join(", ") : "None") : "From apprunner.yaml"],
    ["Environment secrets", image || codeFromApi(s) ? Object.entries(secretsRecord(s.secrets)).map(([k, ref]) => `${k} from ${ref}`).join(", ") || "None" : "From apprunner.yaml"],
    ["Encryption key", s.kmsKey.trim() || "AWS managed key"],
    ["Auto scaling", s.autoScaling === "default" ? "Default configuration" : s.autoScalingArn || "—"],
    ["Health check", s.healthProtocol === "HTTP" ? `HTTP ${s.healthPath}` : "TCP"],
    ["Tags", s.tags.filter((t) => t.key).map((t) => `${t.key}=${t.value}`).join(", ") || "None"],
  ];
}

/** What CreateService will be asked for, grouped by step, each with an Edit button. */
export function ReviewStep({ state, steps, onEdit }: { state: WizardState; steps: StepKey[]; onEdit: (step: number) => void }): ReactNode {
  const groups: { title: string; step: StepKey; rows: Rows }[] = [
    { title: "Source and deployment", step: "source", rows: sourceRows(state) },
    ...(state.sourceKind === "code" ? [{ title: "Build", step: "build" as const, rows: buildRows(state) }] : []),
    { title: "Service settings", step: "service", rows: serviceRows(state) },
  ];
  return (
    <div className="step review">
      {groups.map((g) => (
        <section key={g.title} className="card" aria-label={g.title}>
          <div className="card-head">
            <h3>{g.title}</h3>
            <button type="button" className="btn btn-quiet" onClick={() => onEdit(steps.indexOf(g.step))}>
              Edit<span className="sr-only"> {g.title}</span>
            </button>
          </div>
          <dl className="facts">
            {g.rows.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}
