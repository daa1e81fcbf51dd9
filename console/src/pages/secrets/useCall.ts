import { useState } from "react";
import { fieldErrors, problemOf, type ApiProblem, type FieldSpec } from "../../api/errors";

export interface Call {
  busy: boolean;
  /** Messages by form field (fieldErrors), or the client's own checks. */
  errors: Record<string, string>;
  setErrors: (errors: Record<string, string>) => void;
  /** A denial, or any failure when the call has no form fields to put it at. */
  failure: ApiProblem | undefined;
  /** Runs one call; true when it succeeded, else its error is in `errors` or `failure`. */
  run: (call: () => Promise<unknown>) => Promise<boolean>;
}

/** One API call of this page at a time, its failure said where it belongs (a field, or the banner). */
export function useCall(fields?: Record<string, FieldSpec>): Call {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ApiProblem | undefined>(undefined);
  const run = async (call: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setErrors({});
    setFailure(undefined);
    try {
      await call();
      return true;
    } catch (err) {
      const problem = problemOf(err);
      if (problem.denied || !fields) setFailure(problem);
      else setErrors(fieldErrors(err, fields));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, errors, setErrors, failure, run };
}

export interface RowActions<T> extends Call {
  /** The row whose deletion the dialog asks to confirm. */
  deleting: T | undefined;
  setDeleting: (row: T | undefined) => void;
  /** Runs a row's call, reloads the list when it succeeded, and closes the dialog either way. */
  act: (call: () => Promise<unknown>) => Promise<void>;
}

/** A list's delete (and restore) buttons: one call at a time, its failure in the list's banner. */
export function useRowActions<T>(reload: () => void): RowActions<T> {
  const [deleting, setDeleting] = useState<T | undefined>(undefined);
  const call = useCall();
  const act = async (send: () => Promise<unknown>): Promise<void> => {
    if (await call.run(send)) reload();
    setDeleting(undefined);
  };
  return { ...call, deleting, setDeleting, act };
}
