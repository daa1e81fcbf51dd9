import type { ReactNode } from "react";
import type { Series } from "../api/metrics";

const W = 480;
const H = 160;
const PAD = { left: 44, right: 8, top: 8, bottom: 22 };
const COLORS = ["#0b63ce", "#b3261e", "#1b7f3b", "#8a4b00", "#6b3fa0", "#00687a"];

/** A plain SVG line chart with a text summary for screen readers. */
export function LineChart({ title, unit, series, fromMs, toMs }: { title: string; unit: string; series: Series[]; fromMs: number; toMs: number }): ReactNode {
  const all = series.flatMap((s) => s.points);
  const max = Math.max(1, ...all.map((p) => p.v));
  const x = (t: number): number => PAD.left + ((t - fromMs) / (toMs - fromMs)) * (W - PAD.left - PAD.right);
  const y = (v: number): number => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const latest = series.map((s) => `${s.label}: ${s.points.at(-1)?.v.toFixed(1) ?? "no data"}`).join(", ");
  const fmt = (t: number): string => new Date(t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return (
    <figure className="chart card">
      <figcaption>
        {title} <span className="hint">({unit})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${all.length === 0 ? "no data in this range" : `latest ${latest}`}`}>
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis" />
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} className="grid" />
        <text x={PAD.left - 4} y={PAD.top + 4} textAnchor="end" className="tick">
          {max >= 100 ? max.toFixed(0) : max.toPrecision(2)}
        </text>
        <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" className="tick">
          0
        </text>
        <text x={PAD.left} y={H - 6} className="tick">
          {fmt(fromMs)}
        </text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end" className="tick">
          {fmt(toMs)}
        </text>
        {series.map((s, i) =>
          s.points.length === 1 ? (
            <circle key={s.label} cx={x(s.points[0]?.t ?? 0)} cy={y(s.points[0]?.v ?? 0)} r={3} fill={COLORS[i % COLORS.length]} />
          ) : (
            <polyline key={s.label} fill="none" stroke={COLORS[i % COLORS.length]} strokeWidth={2} points={s.points.map((p) => `${x(p.t)},${y(p.v)}`).join(" ")} />
          ),
        )}
        {all.length === 0 && (
          <text x={W / 2} y={H / 2} textAnchor="middle" className="tick">
            No data in this range
          </text>
        )}
      </svg>
      {series.length > 1 && (
        <ul className="legend">
          {series.map((s, i) => (
            <li key={s.label}>
              <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true" /> {s.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
