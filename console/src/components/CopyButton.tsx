import { useEffect, useState, type ReactNode } from "react";

/**
 * Copies `text` to the clipboard; says so (or that it could not, so the text is selected by
 * hand) in a live region beside it. `label` names what is copied, for screen readers.
 */
export function CopyButton({ text, label }: { text: string; label: string }): ReactNode {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return undefined;
    const timer = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);
  const copy = (): void => {
    // Missing outside a secure context (a console opened over plain HTTP on a non-loopback name).
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!clipboard) {
      setState("failed");
      return;
    }
    clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <span className="copy">
      <button type="button" className="btn btn-small" onClick={copy} aria-label={`Copy ${label}`}>
        Copy
      </button>
      <span role="status" className="copy-status">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the text instead" : ""}
      </span>
    </span>
  );
}
