import { useEffect, useId, useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { millisLabel } from "../../api/durations";
import { errorRate, overThresholds } from "../../api/gradual-rollout";
import { describeRollout, type Rollout } from "../../api/openrunner";
import { BUSY_STATUSES } from "../../api/services";
import { ErrorBanner } from "../../components/Field";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime, usePolled } from "../../hooks";
import { Link } from "../../router";
import type { TabProps } from "./ServiceDashboard";


/** How often the panel asks while a rollout moves (a step lasts 10 s at the shortest). */
const POLL_MS = 2000;
/**
 * How often it asks otherwise: a deployment started elsewhere (CLI, automatic) can start and end
 * a rollout (an abort takes a second) between two of the dashboard's looks at the service's status.
 */
const IDLE_POLL_MS = 10_000;

const epoch = (s: number | undefined): string => (s === undefined ? "—" : formatTime(new Date(s * 1000)));

/** "Deployment X takes 10% of new clients" and the rest of the sentence, by status. */
function summary(r: Rollout): string {
  switch (r.Status) {
    case "IN_PROGRESS":
      return `Deployment ${r.DeploymentId} takes ${r.Percent}% of new clients; the others stay on deployment ${r.PreviousDeploymentId}.`;
    case "PROMOTED":
      return `Deployment ${r.DeploymentId} was promoted to 100% of traffic.`;
    case "ABORTED":
      return `Every client went back to deployment ${r.PreviousDeploymentId}; deployment ${r.DeploymentId} was retired.`;
    default:
      return `The deployment of ${r.DeploymentId} ended before its rollout did; deployment ${r.PreviousDeploymentId} serves.`;
  }
}

/** A step's row: planned, under way, or done, with what the data plane measured of the new version over the window. */
function StepRow({ r, index, percent }: { r: Rollout; index: number; percent: number }): ReactNode {
  const step = r.Steps[index];
  const state = !step ? "waiting" : step.EndedAt !== undefined || r.Status !== "IN_PROGRESS" ? "done" : "current";
  const over = step ? overThresholds(step, r.Settings) : { errors: false, p99: false };
  const rate = step ? errorRate(step) : undefined;
  return (
    <tr data-step={index + 1} data-step-state={state} aria-current={state === "current" ? "step" : undefined}>
      <th scope="row" data-label="Step">
        {index + 1} of {r.Settings.Steps.length}
      </th>
      <td data-label="New clients">{percent}%</td>
      <td data-label="Started">{step ? epoch(step.StartedAt) : "Waiting"}</td>
      <td data-label="Ended">{step?.EndedAt !== undefined ? epoch(step.EndedAt) : state === "current" ? "Under way" : "—"}</td>
      <td data-label="Requests">{step ? step.Requests : "—"}</td>
      <td data-label="5xx" data-over={over.errors || undefined}>
        {step ? `${step.Errors5xx}${rate !== undefined ? ` (${Math.round(rate * 10) / 10}%)` : ""}` : "—"}
        {over.errors && <strong className="over"> above {r.Settings.Max5xxPercent}%</strong>}
      </td>
      <td data-label="p99" data-over={over.p99 || undefined}>
        {step?.P99Millis !== undefined ? millisLabel(step.P99Millis) : "—"}
        {over.p99 && <strong className="over"> above {millisLabel(r.Settings.MaxP99Millis)}</strong>}
      </td>
    </tr>
  );
}

/** The share the new version takes now, as a bar with its value for assistive technology. */
function ShareBar({ r }: { r: Rollout }): ReactNode {
  const id = useId();
  return (
    <div className="rollout-share">
      <span id={`${id}-label`}>New version&apos;s share of new clients</span>
      <div
        className="share-bar"
        role="progressbar"
        aria-labelledby={`${id}-label`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={r.Percent}
        aria-valuetext={`${r.Percent}% to deployment ${r.DeploymentId}`}
      >
        <div className={`share-fill share-${r.Status.toLowerCase()}`} style={{ width: `${r.Percent}%` }} />
      </div>
      <span className="share-value" aria-hidden="true">
        {r.Percent}%
      </span>
    </div>
  );
}

/**
 * The service's latest gradual rollout (OpenRunner.DescribeRollout): status, the new version's
 * share now, each step with its measurements against the thresholds, and why it went back.
 * Polls every 2 s while a rollout or any other operation is under way, so each step shows as it
 * comes; slower otherwise, and again whenever the service changes.
 */
export function RolloutPanel({ service }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const arn = service.ServiceArn ?? "";
  // Polling stops only once the rollout says it ended, not when the operation does: its last state is read.
  const [moving, setMoving] = useState(false);
  const rollout = usePolled(
    async () => {
      const got = await describeRollout(apprunner, arn);
      setMoving(got?.Status === "IN_PROGRESS");
      return got;
    },
    `rollout-${arn}`,
    moving || BUSY_STATUSES.has(service.Status ?? "") ? POLL_MS : IDLE_POLL_MS,
  );
  const { reload } = rollout;
  const changed = `${service.Status ?? ""} ${service.UpdatedAt?.getTime() ?? 0}`;
  useEffect(() => reload(), [changed, reload]);
  const r = rollout.data;
  if (!r) return rollout.error ? <ErrorBanner message={rollout.error} listing="rollouts" /> : null;
  const s = r.Settings;
  const logsPath = `/services/${encodeURIComponent(service.ServiceName ?? "")}/${service.ServiceId ?? ""}/logs`;
  return (
    <section aria-labelledby="rollout-title" className="card rollout" data-rollout-status={r.Status} data-operation={r.OperationId}>
      <div className="card-head">
        <h2 id="rollout-title">Gradual rollout</h2>
        <span className="tile-title">
          <StatusBadge status={r.Status} />
          <Link to={`${logsPath}?op=${r.OperationId}`}>
            View log<span className="sr-only"> of the rollout&apos;s deployment</span>
          </Link>
        </span>
      </div>
      <p aria-live="polite">{summary(r)}</p>
      <ShareBar r={r} />
      {r.Reason && (
        <p className="banner banner-warn" role="status" data-rollout-reason="true">
          {r.Reason}
        </p>
      )}
      <p className="hint">
        Started {epoch(r.StartedAt)}
        {r.EndedAt !== undefined ? `, ended ${epoch(r.EndedAt)}` : ""}. Steps of {millisLabel(s.IntervalSeconds * 1000)}; it goes back when, over the last{" "}
        {millisLabel(s.WindowSeconds * 1000)} and at least {s.MinRequests} responses, more than {s.Max5xxPercent}% of them are 5xx or their p99 is above{" "}
        {millisLabel(s.MaxP99Millis)}.
      </p>
      <ErrorBanner message={rollout.error} />
      <div className="table-wrap">
        <table className="rollout-steps">
          <caption className="sr-only">Steps of the rollout of deployment {r.DeploymentId}</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">New clients</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Requests</th>
              <th scope="col">5xx (max {s.Max5xxPercent}%)</th>
              <th scope="col">p99 (max {millisLabel(s.MaxP99Millis)})</th>
            </tr>
          </thead>
          <tbody>
            {s.Steps.map((percent, i) => (
              <StepRow key={i} r={r} index={i} percent={percent} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
