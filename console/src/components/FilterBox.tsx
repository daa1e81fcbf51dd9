import { useId, type ReactNode } from "react";

/** A list's search box; `label` is both its accessible name and its placeholder. */
export function FilterBox({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }): ReactNode {
  const id = useId();
  return (
    <div className="toolbar">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input id={id} type="search" placeholder={label} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
