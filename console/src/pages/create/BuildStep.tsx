import type { ReactNode } from "react";
import { Field, FieldError } from "../../components/Field";
import type { StepProps } from "./CreateWizard";
import { RUNTIMES } from "./model";

/** How the code is built and run: the repository's apprunner.yaml, or runtime, commands and port given here. */
export function BuildStep({ state, set, errors }: StepProps): ReactNode {
  const here = state.configurationSource === "API";
  return (
    <div className="step">
      <fieldset>
        <legend>Configuration file</legend>
        <label className="choice">
          <input type="radio" name="configuration-source" value="REPOSITORY" checked={!here} onChange={() => set({ configurationSource: "REPOSITORY" })} /> Use a configuration file
        </label>
        <p className="hint">OpenRunner reads apprunner.yaml at the root of the source directory, on every deployment.</p>
        <label className="choice">
          <input type="radio" name="configuration-source" value="API" checked={here} onChange={() => set({ configurationSource: "API" })} /> Configure all settings here
        </label>
        <FieldError message={errors.build} />
      </fieldset>
      {here && (
        <fieldset>
          <legend>Build settings</legend>
          <Field label="Runtime" error={errors.runtime}>
            {({ id, describedBy, invalid }) => (
              <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.runtime} onChange={(e) => set({ runtime: e.target.value })}>
                {RUNTIMES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Build command" hint="Runs in the source directory, e.g. pip install -r requirements.txt or npm install." error={errors.buildCommand}>
            {({ id, describedBy, invalid }) => (
              <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.buildCommand} onChange={(e) => set({ buildCommand: e.target.value })} spellCheck={false} />
            )}
          </Field>
          <Field label="Start command" hint="Starts your application, e.g. python3 server.py or node index.js." error={errors.startCommand}>
            {({ id, describedBy, invalid }) => (
              <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.startCommand} onChange={(e) => set({ startCommand: e.target.value })} spellCheck={false} />
            )}
          </Field>
          <Field label="Port" hint="The port your application listens on (given to it as PORT)." error={errors.port}>
            {({ id, describedBy, invalid }) => (
              <input id={id} name="port" inputMode="numeric" aria-describedby={describedBy} aria-invalid={invalid} value={state.port} onChange={(e) => set({ port: e.target.value })} />
            )}
          </Field>
        </fieldset>
      )}
    </div>
  );
}
