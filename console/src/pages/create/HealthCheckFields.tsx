import type { ReactNode } from "react";
import { Field, FieldError } from "../../components/Field";
import type { StepProps } from "./CreateWizard";
import type { WizardState } from "./model";

type NumberKey = "healthInterval" | "healthTimeout" | "healthyThreshold" | "unhealthyThreshold";
const NUMBERS: [NumberKey, string][] = [
  ["healthInterval", "Interval (seconds)"],
  ["healthTimeout", "Timeout (seconds)"],
  ["healthyThreshold", "Healthy threshold"],
  ["unhealthyThreshold", "Unhealthy threshold"],
];

/** Health check protocol, path and timings (App Runner's defaults filled in). */
export function HealthCheckFields({ state, set, errors }: StepProps): ReactNode {
  return (
    <fieldset>
      <legend>Health check</legend>
      <div className="row">
        <Field label="Protocol">
          {({ id }) => (
            <select id={id} value={state.healthProtocol} onChange={(e) => set({ healthProtocol: e.target.value as WizardState["healthProtocol"] })}>
              <option value="TCP">TCP</option>
              <option value="HTTP">HTTP</option>
            </select>
          )}
        </Field>
        {state.healthProtocol === "HTTP" && (
          <Field label="Path">
            {({ id }) => <input id={id} value={state.healthPath} onChange={(e) => set({ healthPath: e.target.value })} />}
          </Field>
        )}
      </div>
      <div className="row">
        {NUMBERS.map(([key, label]) => (
          <Field key={key} label={label}>
            {({ id }) => <input id={id} inputMode="numeric" value={state[key]} onChange={(e) => set({ [key]: e.target.value })} />}
          </Field>
        ))}
      </div>
      <FieldError message={errors.health} />
    </fieldset>
  );
}
