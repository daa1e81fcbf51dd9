import { useId, type ReactNode } from "react";
import { useClients } from "../api/clients";
import { keyArnOfAlias } from "../api/secret-references";
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
  /** What the field holds: an alias name (Secrets Manager, SSM take one), or a key ARN (CreateService's EncryptionConfiguration). */
  holds?: "alias" | "keyArn";
}

/** A KMS key by alias, key id or ARN: typed, or picked from the account's aliases (ListAliases). */
export function KmsKeyField({ label, value, onChange, emptyMeans, error, holds = "alias" }: Props): ReactNode {
  const { apprunner } = useClients();
  const aliases = usePolled(() => listAliases(apprunner), "kms-aliases");
  const listId = useId();
  const typed = holds === "alias" ? "an alias, key id or ARN" : "a key ARN";
  const hint = aliases.error ? `Optional; empty: ${emptyMeans}. The key list is unavailable (${aliases.error.message}): type ${typed}.` : `Optional; empty: ${emptyMeans}.`;
  const options = (aliases.data ?? [])
    .filter((a) => !a.aliasName.startsWith("alias/aws/"))
    .map((a) => ({ label: a.aliasName, value: holds === "alias" ? a.aliasName : keyArnOfAlias(a.aliasArn, a.targetKeyId) }));
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <>
          <input id={id} list={listId} aria-describedby={describedBy} aria-invalid={invalid} value={value} onChange={(e) => onChange(e.target.value)} placeholder={holds === "alias" ? "alias/my-key" : "arn:aws:kms:…:key/…"} autoComplete="off" spellCheck={false} />
          <datalist id={listId}>
            {options.map((o) =>
              o.value ? (
                <option key={o.label} value={o.value}>
                  {o.label}
                </option>
              ) : null,
            )}
          </datalist>
        </>
      )}
    </Field>
  );
}
