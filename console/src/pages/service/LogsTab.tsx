import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { groupTail, instanceStreams, logGroups, streamTail } from "../../api/logs";
import { ErrorBanner } from "../../components/Field";
import { LogView } from "../../components/LogView";
import { usePolled } from "../../hooks";
import { useLocation } from "../../router";
import { DeploymentLogs } from "./DeploymentLogs";
import type { TabProps } from "./ServiceDashboard";

const HOUR = 3600_000;

/** Event log, deployment logs and application logs, polled every 3 s while the tab is open. */
export function LogsTab({ service }: TabProps): ReactNode {
  const { logs } = useClients();
  const { query } = useLocation();
  const groups = logGroups(service);
  const [instance, setInstance] = useState("");
  const events = usePolled(() => streamTail(logs, groups.service, "events"), `events-${groups.service}`, 3000);
  const streams = usePolled(() => instanceStreams(logs, groups.application), `streams-${groups.application}`, 10_000);
  const app = usePolled(
    () => groupTail(logs, groups.application, instance || "instance/", Date.now() - 24 * HOUR),
    `app-${groups.application}-${instance}`,
    3000,
  );
  return (
    <div className="logs-tab">
      <section aria-labelledby="event-log-title" className="card">
        <div className="card-head">
          <h2 id="event-log-title">Event log</h2>
          <button type="button" className="btn btn-quiet" onClick={events.reload}>
            Refresh
          </button>
        </div>
        <ErrorBanner message={events.error} />
        <LogView lines={events.data} label="Event log" />
      </section>
      <DeploymentLogs service={service} initialOperation={query.get("op") ?? undefined} />
      <section aria-labelledby="app-log-title" className="card">
        <div className="card-head">
          <h2 id="app-log-title">Application logs</h2>
          <label className="inline">
            <span>Instance</span>
            <select value={instance} onChange={(e) => setInstance(e.target.value)}>
              <option value="">All instances (combined)</option>
              {(streams.data ?? []).map((s) => (
                <option key={s.logStreamName} value={s.logStreamName}>
                  {s.logStreamName}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorBanner message={app.error} />
        <LogView lines={app.data} label="Application logs" empty="No application output in the last 24 hours." />
      </section>
    </div>
  );
}
