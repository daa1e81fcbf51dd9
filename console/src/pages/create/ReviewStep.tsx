import type { ReactNode } from "react";
import { toRecord } from "../../components/KeyValueEditor";
import type { WizardState } from "./model";

/** What CreateService will be asked for, grouped by step, each with an Edit button. */
export function ReviewStep({ state, onEdit }: { state: WizardState; onEdit: (step: number) => void }): ReactNode {
  const [cpu, memory] = state.cpuMemory.split("|");
  const env = Object.entries(toRecord(state.env));
  const groups: { title: string; step: number; rows: [string, string][] }[] = [
    {
      title: "Source and deployment",
      step: 0,
      rows: [
        ["Image URI", state.imageUri || "—"],
        ["Provider", state.repositoryType],
        ["Deployment trigger", state.deployment === "automatic" ? "Automatic" : "Manual"],
      ],
    },
    {
      title: "Service settings",
      step: 1,
      rows: [
        ["Service name", state.name || "—"],
        ["Virtual CPU & memory", `${cpu ?? ""} / ${memory ?? ""}`],
        ["Port", state.port || "—"],
        ["Start command", state.startCommand || "(image default)"],
        ["Environment variables", env.length ? env.map(([k, v]) => `${k}=${v}`).join(", ") : "None"],
        ["Auto scaling", state.autoScaling === "default" ? "Default configuration" : state.autoScalingArn || "—"],
        ["Health check", state.healthProtocol === "HTTP" ? `HTTP ${state.healthPath}` : "TCP"],
        ["Tags", state.tags.filter((t) => t.key).map((t) => `${t.key}=${t.value}`).join(", ") || "None"],
      ],
    },
  ];
  return (
    <div className="step review">
      {groups.map((g) => (
        <section key={g.title} className="card" aria-label={g.title}>
          <div className="card-head">
            <h3>{g.title}</h3>
            <button type="button" className="btn btn-quiet" onClick={() => onEdit(g.step)}>
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
