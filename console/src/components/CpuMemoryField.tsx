import type { ReactNode } from "react";
import { CPU_MEMORY_PAIRS } from "../pages/create/model";
import { Field } from "./Field";

interface Props {
  /** `"<cpu>|<memory>"`, one of App Runner's pairs. */
  value: string;
  onChange: (value: string) => void;
  error?: string;
}

/** The "Virtual CPU & memory" choice: only the pairs App Runner offers, as one select. */
export function CpuMemoryField({ value, onChange, error }: Props): ReactNode {
  return (
    <Field label="Virtual CPU & memory" error={error}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={value} onChange={(e) => onChange(e.target.value)}>
          {CPU_MEMORY_PAIRS.map((p) => (
            <option key={`${p.cpu}|${p.memory}`} value={`${p.cpu}|${p.memory}`}>
              {p.cpu} / {p.memory}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
