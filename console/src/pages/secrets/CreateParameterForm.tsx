import { useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { putParameter, type NewParameter } from "../../api/secrets";
import { ErrorBanner, Field } from "../../components/Field";
import { KmsKeyField } from "../../components/KmsKeyField";
import { useCall } from "./useCall";

const FIELDS = {
  name: { paths: ["name"], words: /\bname\b|already exists/i },
  value: { paths: ["value"], words: /\bvalue\b/i },
  keyId: { paths: ["keyId"], words: /\bkey\b|kms/i },
  description: { paths: ["description"], words: /description/i },
};

/** A new Parameter Store parameter; a SecureString's value is typed in a password field and forgotten once stored. */
export function CreateParameterForm({ onCreated }: { onCreated: (name: string) => void }): ReactNode {
  const { apprunner } = useClients();
  const [name, setName] = useState("");
  const [type, setType] = useState<NewParameter["type"]>("SecureString");
  const [value, setValue] = useState("");
  const [description, setDescription] = useState("");
  const [keyId, setKeyId] = useState("");
  const { busy, errors, setErrors, failure, run } = useCall(FIELDS);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (name.trim() === "") problems.name = "Enter a name for the parameter.";
    if (value === "") problems.value = "Enter the parameter's value.";
    if (Object.keys(problems).length > 0) {
      setErrors(problems);
      return;
    }
    if (!(await run(() => putParameter(apprunner, { name: name.trim(), value, type, description: description.trim() || undefined, keyId: keyId.trim() || undefined })))) return;
    // The value leaves the page's state with the call that stored it.
    setValue("");
    setName("");
    setDescription("");
    onCreated(name.trim());
  };

  return (
    <form className="card" aria-labelledby="new-parameter-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="new-parameter-title">Create a parameter</h2>
      <ErrorBanner message={failure ?? errors.form} />
      <div className="row">
        <Field label="Parameter name" hint="For example /prod/db/password" error={errors.name}>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="Type">
          {({ id }) => (
            <select id={id} value={type} onChange={(e) => setType(e.target.value as NewParameter["type"])}>
              <option value="SecureString">SecureString</option>
              <option value="String">String</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="Parameter value" hint={type === "SecureString" ? "Encrypted with the key below; shown nowhere after it is stored." : undefined} error={errors.value}>
        {({ id, describedBy, invalid }) => (
          <input id={id} type={type === "SecureString" ? "password" : "text"} autoComplete="new-password" aria-describedby={describedBy} aria-invalid={invalid} value={value} onChange={(e) => setValue(e.target.value)} />
        )}
      </Field>
      <Field label="Description (optional)" error={errors.description}>
        {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      {type === "SecureString" && <KmsKeyField label="KMS key" value={keyId} onChange={setKeyId} emptyMeans="the AWS managed key aws/ssm" error={errors.keyId} />}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create parameter"}
        </button>
      </div>
    </form>
  );
}
