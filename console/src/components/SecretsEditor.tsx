import type { ReactNode } from "react";
import { useClients } from "../api/clients";
import { referenceKind, referenceOf, type SecretRow } from "../api/secret-references";
import { describeParameters, listSecrets } from "../api/secrets";
import { usePolled } from "../hooks";
import { FieldError } from "./Field";

interface Props {
  rows: SecretRow[];
  onChange: (rows: SecretRow[]) => void;
  error?: string;
}

/**
 * RuntimeEnvironmentSecrets rows: a variable and the secret or parameter it reads, picked from
 * Secrets Manager's and Parameter Store's lists or typed, with a JSON key for a JSON secret.
 * Only references are shown and sent; the service's instance role reads the values when it deploys.
 */
export function SecretsEditor({ rows, onChange, error }: Props): ReactNode {
  const { apprunner } = useClients();
  const choices = usePolled(async () => {
    const [secrets, parameters] = await Promise.all([listSecrets(apprunner), describeParameters(apprunner)]);
    return { secrets: secrets.filter((s) => !s.deletedDate), parameters };
  }, "secret-choices");
  const set = (i: number, patch: Partial<SecretRow>): void => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const known = new Set([...(choices.data?.secrets ?? []).map((s) => s.arn), ...(choices.data?.parameters ?? []).map((p) => p.arn)]);
  return (
    <fieldset className="kv" data-testid="env-secrets">
      <legend>Environment secrets</legend>
      <p className="hint">Each variable gets the value of a secret or parameter, read with the service's instance role at each deployment.</p>
      {choices.error && <p className="hint">The lists of secrets and parameters are unavailable ({choices.error.message}): type an ARN or a parameter name.</p>}
      {rows.length === 0 && <p className="hint">None.</p>}
      {rows.map((row, i) => {
        const isSecret = referenceKind(row.source.trim()) === "secret";
        return (
          <div className="secret-row" key={i} data-secret-row={i + 1}>
            <label>
              <span className="sr-only">Secret variable name {i + 1}</span>
              <input value={row.name} placeholder="Variable name" onChange={(e) => set(i, { name: e.target.value })} spellCheck={false} />
            </label>
            <label>
              <span className="sr-only">Pick secret or parameter {i + 1}</span>
              <select value={known.has(row.source) ? row.source : ""} onChange={(e) => e.target.value && set(i, { source: e.target.value, jsonKey: "" })}>
                <option value="">Pick a secret or parameter…</option>
                <optgroup label="Secrets Manager">
                  {(choices.data?.secrets ?? []).map((s) => (
                    <option key={s.arn} value={s.arn}>
                      {s.name}
                    </option>
                  ))}
                </optgroup>
                <optgroup label="Parameter Store">
                  {(choices.data?.parameters ?? []).map((p) => (
                    <option key={p.arn} value={p.arn}>
                      {p.name} ({p.type})
                    </option>
                  ))}
                </optgroup>
              </select>
            </label>
            <label>
              <span className="sr-only">Secret reference {i + 1}</span>
              <input value={row.source} placeholder="Secret ARN, parameter ARN or name" onChange={(e) => set(i, { source: e.target.value })} spellCheck={false} />
            </label>
            <label>
              <span className="sr-only">JSON key {i + 1}</span>
              <input value={row.jsonKey} placeholder={isSecret ? "JSON key (optional)" : "—"} disabled={!isSecret && row.jsonKey === ""} onChange={(e) => set(i, { jsonKey: e.target.value })} spellCheck={false} />
            </label>
            <button type="button" className="btn btn-quiet" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              Remove<span className="sr-only"> {row.name || `secret ${i + 1}`}</span>
            </button>
            {row.source.trim() !== "" && (
              <p className="hint secret-reference">
                Reference: <code>{referenceOf(row)}</code>
              </p>
            )}
          </div>
        );
      })}
      <button type="button" className="btn" onClick={() => onChange([...rows, { name: "", source: "", jsonKey: "" }])}>
        Add environment secret
      </button>
      <FieldError message={error} />
    </fieldset>
  );
}
