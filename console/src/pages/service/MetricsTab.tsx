import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { CHARTS, loadCharts, RANGES } from "../../api/metrics";
import { ErrorBanner } from "../../components/Field";
import { LineChart } from "../../components/LineChart";
import { usePolled } from "../../hooks";
import type { TabProps } from "./ServiceDashboard";

/** CloudWatch metrics of the service (namespace AWS/AppRunner) over a chosen range; refreshed each minute. */
export function MetricsTab({ service }: TabProps): ReactNode {
  const { cloudwatch } = useClients();
  const [rangeKey, setRangeKey] = useState<string>("1h");
  const range = RANGES.find((r) => r.key === rangeKey) ?? RANGES[0];
  const data = usePolled(() => loadCharts(cloudwatch, service, range.ms, range.period), `metrics-${service.ServiceArn ?? ""}-${range.key}`, 60_000);
  const to = Date.now();
  return (
    <section aria-labelledby="metrics-title">
      <div className="card-head">
        <h2 id="metrics-title">Metrics</h2>
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button key={r.key} type="button" className="btn" aria-pressed={r.key === range.key} onClick={() => setRangeKey(r.key)}>
              {r.label}
            </button>
          ))}
        </div>
      </div>
      <ErrorBanner message={data.error} />
      <div className="charts">
        {CHARTS.map((c) => (
          <LineChart key={c.metric} title={c.title} unit={c.unit} series={data.data?.[c.metric] ?? []} fromMs={to - range.ms} toMs={to} />
        ))}
      </div>
    </section>
  );
}
