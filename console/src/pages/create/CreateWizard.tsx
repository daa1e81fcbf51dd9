import { CreateServiceCommand } from "@aws-sdk/client-apprunner";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { ErrorBanner } from "../../components/Field";
import { navigate } from "../../router";
import { ConfigureStep } from "./ConfigureStep";
import { INITIAL, placeErrors, STEPS, toCreateRequest, type WizardState } from "./model";
import { ReviewStep } from "./ReviewStep";
import { SourceStep } from "./SourceStep";

export interface StepProps {
  state: WizardState;
  set: (patch: Partial<WizardState>) => void;
  errors: Record<string, string>;
}

/**
 * Create service, in the guide's steps. Only CreateService validates: the API's own messages
 * come back at the field they name, and the wizard goes back to that field's step.
 */
export function CreateWizard(): ReactNode {
  const { apprunner } = useClients();
  const [state, setState] = useState<WizardState>(INITIAL);
  const [step, setStep] = useState(0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  const set = (patch: Partial<WizardState>): void => setState((s) => ({ ...s, ...patch }));
  const go = (n: number): void => {
    setStep(n);
    // Move focus to the new step's heading so keyboard and screen reader users follow along.
    requestAnimationFrame(() => heading.current?.focus());
  };

  const create = async (): Promise<void> => {
    setBusy(true);
    setErrors({});
    try {
      const out = await apprunner.send(new CreateServiceCommand(toCreateRequest(state)));
      const s = out.Service;
      navigate(`/services/${encodeURIComponent(s?.ServiceName ?? "")}/${s?.ServiceId ?? ""}`);
    } catch (err) {
      const placed = placeErrors(err);
      setErrors(placed.errors);
      setBusy(false);
      go(placed.step);
    }
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (step < STEPS.length - 1) go(step + 1);
    else void create();
  };

  return (
    <section aria-labelledby="wizard-title" className="wizard">
      <h1 id="wizard-title">Create service</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((label, i) => (
          <li key={label} aria-current={i === step ? "step" : undefined} className={i < step ? "done" : undefined}>
            <span className="step-no">Step {i + 1}</span> {label}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} noValidate>
        <h2 ref={heading} tabIndex={-1}>
          {STEPS[step]}
        </h2>
        <ErrorBanner message={errors.form} />
        {step === 0 && <SourceStep state={state} set={set} errors={errors} />}
        {step === 1 && <ConfigureStep state={state} set={set} errors={errors} />}
        {step === 2 && <ReviewStep state={state} onEdit={go} />}
        <div className="actions">
          <button type="button" className="btn" onClick={() => (step === 0 ? navigate("/services") : go(step - 1))}>
            {step === 0 ? "Cancel" : "Previous"}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {step < STEPS.length - 1 ? "Next" : busy ? "Creating…" : "Create & deploy"}
          </button>
        </div>
      </form>
    </section>
  );
}
