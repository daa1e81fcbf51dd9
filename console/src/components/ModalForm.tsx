import { useId, type ReactNode } from "react";
import { useModal } from "./useModal";

interface Props {
  title: ReactNode;
  /** The dialog's content between its title and its buttons. */
  children: ReactNode;
  /** The submit button's words and look. */
  submit: { label: string; className: string; disabled: boolean };
  onSubmit: () => void;
  onCancel: () => void;
}

/**
 * A modal dialog with a form, a Cancel button and one action: the shape every confirmation of
 * the console takes (delete, unlink, roll back), so they behave alike with the keyboard (Escape
 * cancels, Enter submits) and for screen readers (the title labels the dialog).
 */
export function ModalForm({ title, children, submit, onSubmit, onCancel }: Props): ReactNode {
  const ref = useModal();
  const id = useId();
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onCancel={onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!submit.disabled) onSubmit();
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        {children}
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={submit.className} disabled={submit.disabled}>
            {submit.label}
          </button>
        </div>
      </form>
    </dialog>
  );
}
