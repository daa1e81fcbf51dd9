import { useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { newSecretProblems, secretStringOf, type SecretValueInput } from "../../api/secret-references";
import { createSecret } from "../../api/secrets";
import { ErrorBanner, Field } from "../../components/Field";
import { KeyValueEditor, type KeyValue } from "../../components/KeyValueEditor";
import { KmsKeyField } from "../../components/KmsKeyField";
import { useCall } from "./useCall";

const FIELDS = {
  name: { paths: ["name"], words: /\bname\b|already exists|scheduled for deletion/i },
  value: { paths: ["secretString"], words: /secret ?string|value/i },
  kmsKey: { paths: ["kmsKeyId"], words: /\bkey\b|kms/i },
  description: { paths: ["description"], words: /description/i },
};

/**
 * A new secret: its value typed once (a password field, or key/value pairs kept as one JSON
 * object) and forgotten by the page as soon as CreateSecret answers; only the ARN is shown.
 */
export function CreateSecretForm({ onCreated }: { onCreated: (name: string, arn: string) => void }): ReactNode {
  const { apprunner } = useClients();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [kmsKey, setKmsKey] = useState("");
  const [kind, setKind] = useState<SecretValueInput["kind"]>("plaintext");
  const [text, setText] = useState("");
  const [rows, setRows] = useState<KeyValue[]>([{ key: "", value: "" }]);
  const { busy, errors, setErrors, failure, run } = useCall(FIELDS);
  const value: SecretValueInput = kind === "plaintext" ? { kind, text } : { kind, rows };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problems = newSecretProblems(name, value);
    if (Object.keys(problems).length > 0) {
      setErrors(problems);
      return;
    }
    let arn = "";
    const stored = await run(async () => {
      arn = await createSecret(apprunner, { name: name.trim(), secretString: secretStringOf(value), description: description.trim() || undefined, kmsKeyId: kmsKey.trim() || undefined });
    });
    if (!stored) return;
    // The value leaves the page's state with the call that stored it.
    setText("");
    setRows([{ key: "", value: "" }]);
    setName("");
    setDescription("");
    onCreated(name.trim(), arn);
  };

  return (
    <form className="card" aria-labelledby="new-secret-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="new-secret-title">Store a new secret</h2>
      <ErrorBanner message={failure ?? errors.form} />
      <div className="row">
        <Field label="Secret name" hint="Letters, digits and / _ + = . @ -" error={errors.name}>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="Description (optional)" error={errors.description}>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
      </div>
      <fieldset>
        <legend>Secret value</legend>
        <label className="choice">
          <input type="radio" name="secret-kind" checked={kind === "plaintext"} onChange={() => setKind("plaintext")} /> Plaintext
        </label>
        <label className="choice">
          <input type="radio" name="secret-kind" checked={kind === "json"} onChange={() => setKind("json")} /> Key/value pairs (JSON)
        </label>
        {kind === "plaintext" ? (
          <Field label="Value" hint="Shown nowhere after it is stored." error={errors.value}>
            {({ id, describedBy, invalid }) => <input id={id} type="password" autoComplete="new-password" aria-describedby={describedBy} aria-invalid={invalid} value={text} onChange={(e) => setText(e.target.value)} />}
          </Field>
        ) : (
          <KeyValueEditor legend="Key/value pairs" rows={rows} onChange={setRows} keyLabel="Secret key" valueLabel="Secret value" addLabel="Add row" error={errors.value} hideValues />
        )}
      </fieldset>
      <KmsKeyField label="Encryption key" value={kmsKey} onChange={setKmsKey} emptyMeans="the AWS managed key aws/secretsmanager" error={errors.kmsKey} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Storing…" : "Store secret"}
        </button>
      </div>
    </form>
  );
}
