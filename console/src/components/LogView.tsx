import { useEffect, useRef, type ReactNode } from "react";
import type { LogLine } from "../api/logs";

/** A scrolling log; stays pinned to the newest line unless the reader scrolled up. */
export function LogView({ lines, label, empty = "No log lines yet." }: { lines: LogLine[] | undefined; label: string; empty?: string }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  return (
    <div
      ref={ref}
      className="log"
      role="log"
      aria-label={label}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {lines === undefined ? (
        <p className="log-empty">Loading…</p>
      ) : lines.length === 0 ? (
        <p className="log-empty">{empty}</p>
      ) : (
        lines.map((l) => (
          <div className="log-line" key={l.key}>
            <time dateTime={new Date(l.timestamp).toISOString()}>{new Date(l.timestamp).toLocaleTimeString()}</time>
            {l.stream && <span className="log-stream">{l.stream.replace(/^instance\//, "").slice(0, 8)}</span>}
            <span className="log-msg">{l.message}</span>
          </div>
        ))
      )}
    </div>
  );
}
