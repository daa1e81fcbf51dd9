import { useEffect, useId, useRef, useState, type ReactNode } from "react";

interface Props {
  what: string;
  name: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy: boolean;
  /** What deleting does, when it is not final (a secret's recovery window). */
  consequence?: string;
  /** Further choices for the deletion, inside the dialog's form. */
  children?: ReactNode;
}

/** A modal dialog: deleting needs the resource's name typed, as App Runner's console asks. */
export function ConfirmDelete({ what, name, onConfirm, onCancel, busy, consequence, children }: Props): ReactNode {
  const [typed, setTyped] = useState("");
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onCancel={onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name) onConfirm();
        }}
      >
        <h2 id={`${id}-title`}>
          Delete {what} {name}?
        </h2>
        <p>
          {consequence ?? "This cannot be undone."} To confirm, type the {what} name.
        </p>
        {children}
        <label htmlFor={`${id}-name`}>
          Type <strong>{name}</strong> to confirm
        </label>
        <input id={`${id}-name`} value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} autoFocus />
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={typed !== name || busy}>
            Delete
          </button>
        </div>
      </form>
    </dialog>
  );
}
