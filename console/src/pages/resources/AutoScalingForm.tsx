import type { CreateAutoScalingConfigurationCommandInput } from "@aws-sdk/client-apprunner";
import { useState, type FormEvent, type ReactNode } from "react";
import { fieldErrors, problemOf, type ApiProblem } from "../../api/errors";
import { ErrorBanner, Field } from "../../components/Field";

const FIELDS = {
  name: { paths: ["autoScalingConfigurationName"], words: /name|revisions/i },
  maxConcurrency: { paths: ["maxConcurrency"], words: /concurrency/i },
  minSize: { paths: ["minSize"], words: /MinSize/ },
  maxSize: { paths: ["maxSize"], words: /MaxSize/ },
};

/** Creates a configuration, or a new revision of one with the same name. */
export function AutoScalingForm({ onCreate }: { onCreate: (input: CreateAutoScalingConfigurationCommandInput) => Promise<void> }): ReactNode {
  const [v, setV] = useState({ name: "", maxConcurrency: "100", minSize: "1", maxSize: "25" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [denied, setDenied] = useState<ApiProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setDenied(undefined);
    try {
      await onCreate({ AutoScalingConfigurationName: v.name.trim(), MaxConcurrency: Number(v.maxConcurrency), MinSize: Number(v.minSize), MaxSize: Number(v.maxSize) });
      setV((old) => ({ ...old, name: "" }));
    } catch (err) {
      const problem = problemOf(err);
      if (problem.denied) setDenied(problem);
      else setErrors(fieldErrors(err, FIELDS));
    } finally {
      setBusy(false);
    }
  };
  const input = (key: keyof typeof v, label: string, numeric = true): ReactNode => (
    <Field label={label} error={errors[key]}>
      {({ id, describedBy, invalid }) => (
        <input id={id} aria-describedby={describedBy} aria-invalid={invalid} inputMode={numeric ? "numeric" : undefined} value={v[key]} onChange={(e) => setV({ ...v, [key]: e.target.value })} />
      )}
    </Field>
  );
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="asc-create-title" noValidate>
      <h2 id="asc-create-title">Create configuration or revision</h2>
      <ErrorBanner message={denied ?? errors.form} />
      <div className="row">
        {input("name", "Configuration name", false)}
        {input("maxConcurrency", "Maximum concurrency")}
        {input("minSize", "Minimum size")}
        {input("maxSize", "Maximum size")}
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Create
      </button>
    </form>
  );
}
