import { useId, type ReactNode } from "react";
import { useClients } from "../api/clients";
import { listAliases } from "../api/secrets";
import { usePolled } from "../hooks";
import { Field } from "./Field";

interface Props {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** What an empty field means ("the AWS managed key aws/secretsmanager"). */
  emptyMeans: string;
  error?: string;
}

/** A KMS key by alias, key id or ARN: typed, or picked from the account's aliases (ListAliases). */
export function KmsKeyField({ label, value, onChange, emptyMeans, error }: Props): ReactNode {
  const { apprunner } = useClients();
  const aliases = usePolled(() => listAliases(apprunner), "kms-aliases");
  const listId = useId();
  const hint = aliases.error ? `Optional; empty: ${emptyMeans}. The key list is unavailable (${aliases.error.message}): type an alias, key id or ARN.` : `Optional; empty: ${emptyMeans}.`;
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <>
          <input id={id} list={listId} aria-describedby={describedBy} aria-invalid={invalid} value={value} onChange={(e) => onChange(e.target.value)} placeholder="alias/my-key" autoComplete="off" spellCheck={false} />
          <datalist id={listId}>
            {(aliases.data ?? [])
              .filter((a) => !a.aliasName.startsWith("alias/aws/"))
              .map((a) => (
                <option key={a.aliasArn} value={a.aliasName} />
              ))}
          </datalist>
        </>
      )}
    </Field>
  );
}
