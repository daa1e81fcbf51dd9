import { CreateServiceCommand } from "@aws-sdk/client-apprunner";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { problemOf, type ApiProblem } from "../../api/errors";
import { ErrorBanner } from "../../components/Field";
import { navigate } from "../../router";
import { ConfigureStep } from "./ConfigureStep";
import { BuildStep } from "./BuildStep";
import { INITIAL, STEP_LABELS, stepsFor, type WizardState } from "./model";
import { placeErrors } from "./placement";
import { toCreateRequest } from "./request";
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
  const [denied, setDenied] = useState<ApiProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // Choosing a source code repository adds "Configure build"; the steps follow the choice.
  const steps = stepsFor(state.sourceKind);
  const current = steps[step] ?? "source";
  const last = step === steps.length - 1;

  const set = (patch: Partial<WizardState>): void => setState((s) => ({ ...s, ...patch }));
  const go = (n: number): void => {
    setStep(n);
    // Move focus to the new step's heading so keyboard and screen reader users follow along.
    requestAnimationFrame(() => heading.current?.focus());
  };

  const create = async (): Promise<void> => {
    setBusy(true);
    setErrors({});
    setDenied(undefined);
    try {
      const out = await apprunner.send(new CreateServiceCommand(toCreateRequest(state)));
      const s = out.Service;
      navigate(`/services/${encodeURIComponent(s?.ServiceName ?? "")}/${s?.ServiceId ?? ""}`);
    } catch (err) {
      // A denial is about who asks, not about a field: the wizard stays on the review step and
      // says so above it (focusing the step's heading brings the notice into view).
      const problem = problemOf(err);
      if (problem.denied) {
        setDenied(problem);
        setBusy(false);
        go(step);
        return;
      }
      const placed = placeErrors(err, state.sourceKind);
      setErrors(placed.errors);
      setBusy(false);
      go(placed.step);
    }
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!last) go(step + 1);
    else void create();
  };

  return (
    <section aria-labelledby="wizard-title" className="wizard">
      <h1 id="wizard-title">Create service</h1>
      <ol className="steps" aria-label="Steps">
        {steps.map((key, i) => (
          <li key={key} aria-current={i === step ? "step" : undefined} className={i < step ? "done" : undefined}>
            <span className="step-no">Step {i + 1}</span> {STEP_LABELS[key]}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} noValidate>
        <h2 ref={heading} tabIndex={-1}>
          {STEP_LABELS[current]}
        </h2>
        <ErrorBanner message={denied ?? errors.form} />
        {current === "source" && <SourceStep state={state} set={set} errors={errors} />}
        {current === "build" && <BuildStep state={state} set={set} errors={errors} />}
        {current === "service" && <ConfigureStep state={state} set={set} errors={errors} />}
        {current === "review" && <ReviewStep state={state} steps={steps} onEdit={go} />}
        <div className="actions">
          <button type="button" className="btn" onClick={() => (step === 0 ? navigate("/services") : go(step - 1))}>
            {step === 0 ? "Cancel" : "Previous"}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {!last ? "Next" : busy ? "Creating…" : "Create & deploy"}
          </button>
        </div>
      </form>
    </section>
  );
}
