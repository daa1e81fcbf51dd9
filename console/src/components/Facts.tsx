import type { ReactNode } from "react";

/** Label/value pairs in a grid; each pair carries `data-fact` with its label, which tests and styles find it by. */
export function Facts({ facts }: { facts: [string, ReactNode][] }): ReactNode {
  return (
    <dl className="facts facts-grid">
      {facts.map(([k, v]) => (
        <div key={k} data-fact={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
