import { useId, type ReactNode } from "react";
import type { ApiProblem } from "../api/errors";
import { AccessDenied } from "./AccessDenied";

interface FieldProps {
  label: string;
  hint?: string;
  error?: string;
  /** Renders the control, wired to the label, hint and error by id. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** A labelled form control whose API error is announced and shown right under it. */
export function Field({ label, hint, error, children }: FieldProps): ReactNode {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({ id, describedBy, invalid: error !== undefined })}
      <FieldError message={error} id={errorId} />
    </div>
  );
}

/** A field's or a group of fields' error, announced when it appears. */
export function FieldError({ message, id }: { message: string | undefined; id?: string }): ReactNode {
  if (!message) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {message}
    </p>
  );
}

/**
 * A failed call's message; a denied one (ApiProblem.denied) as the distinct access-denied
 * notice, which on a list page (`listing`: "services") says what cannot be listed.
 */
export function ErrorBanner({ message, listing }: { message: string | ApiProblem | undefined; listing?: string }): ReactNode {
  if (!message) return null;
  if (typeof message !== "string" && message.denied) return <AccessDenied problem={message} listing={listing} />;
  return (
    <div className="banner banner-error" role="alert">
      {typeof message === "string" ? message : message.message}
    </div>
  );
}
