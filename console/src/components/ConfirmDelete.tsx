import { useId, useState, type ReactNode } from "react";
import { useModal } from "./useModal";

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
  /** The action's word when it is not "Delete" (a custom domain is unlinked). */
  verb?: string;
}

/** A modal dialog: deleting (or unlinking) needs the resource's name typed, as App Runner's console asks. */
export function ConfirmDelete({ what, name, onConfirm, onCancel, busy, consequence, children, verb = "Delete" }: Props): ReactNode {
  const [typed, setTyped] = useState("");
  const ref = useModal();
  const id = useId();
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
          {verb} {what} {name}?
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
            {verb}
          </button>
        </div>
      </form>
    </dialog>
  );
}
