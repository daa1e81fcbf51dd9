import { useId, useState, type ReactNode } from "react";
import { ModalForm } from "./ModalForm";

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
  const id = useId();
  return (
    <ModalForm
      title={
        <>
          {verb} {what} {name}?
        </>
      }
      submit={{ label: verb, className: "btn btn-danger", disabled: typed !== name || busy }}
      onSubmit={onConfirm}
      onCancel={onCancel}
    >
      <p>
        {consequence ?? "This cannot be undone."} To confirm, type the {what} name.
      </p>
      {children}
      <label htmlFor={`${id}-name`}>
        Type <strong>{name}</strong> to confirm
      </label>
      <input id={`${id}-name`} value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} autoFocus />
    </ModalForm>
  );
}
