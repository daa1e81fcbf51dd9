import type { ReactNode } from "react";
import { FieldError } from "./Field";

export interface KeyValue {
  key: string;
  value: string;
}

interface Props {
  legend: string;
  rows: KeyValue[];
  onChange: (rows: KeyValue[]) => void;
  keyLabel: string;
  valueLabel: string;
  addLabel: string;
  error?: string;
  /** Values not shown as typed (a new secret's key/value pairs). */
  hideValues?: boolean;
}

/** Rows of key/value inputs (environment variables, tags), each input with its own label. */
export function KeyValueEditor({ legend, rows, onChange, keyLabel, valueLabel, addLabel, error, hideValues }: Props): ReactNode {
  const set = (i: number, patch: Partial<KeyValue>): void => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="kv">
      <legend>{legend}</legend>
      {rows.length === 0 && <p className="hint">None.</p>}
      {rows.map((row, i) => (
        <div className="kv-row" key={i}>
          <label>
            <span className="sr-only">
              {keyLabel} {i + 1}
            </span>
            <input value={row.key} placeholder={keyLabel} onChange={(e) => set(i, { key: e.target.value })} />
          </label>
          <label>
            <span className="sr-only">
              {valueLabel} {i + 1}
            </span>
            <input type={hideValues ? "password" : "text"} autoComplete={hideValues ? "new-password" : undefined} value={row.value} placeholder={valueLabel} onChange={(e) => set(i, { value: e.target.value })} />
          </label>
          <button type="button" className="btn btn-quiet" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove<span className="sr-only"> {row.key || `row ${i + 1}`}</span>
          </button>
        </div>
      ))}
      <button type="button" className="btn" onClick={() => onChange([...rows, { key: "", value: "" }])}>
        {addLabel}
      </button>
      <FieldError message={error} />
    </fieldset>
  );
}

export const toRecord = (rows: KeyValue[]): Record<string, string> =>
  Object.fromEntries(rows.filter((r) => r.key.trim() !== "").map((r) => [r.key.trim(), r.value]));

export const fromRecord = (rec: Record<string, string> | undefined): KeyValue[] =>
  Object.entries(rec ?? {}).map(([key, value]) => ({ key, value }));
