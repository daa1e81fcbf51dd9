import { useEffect, useRef, type RefObject } from "react";

/** A <dialog> shown modal while its component is mounted (focus trapped, the page behind inert), closed when it unmounts. */
export function useModal(): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return ref;
}
