import type { ReactNode } from "react";

/** A list page's table: scrolls on its own when narrow, one column head a name in `columns`; the caller gives the rows. */
export function ResourceTable({ label, columns, children }: { label?: string; columns: string[]; children: ReactNode }): ReactNode {
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
