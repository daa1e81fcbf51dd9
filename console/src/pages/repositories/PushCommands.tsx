import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { PUSH_TOOLS, pushCommands, type PushTool } from "../../api/push-commands";
import type { Repository } from "../../api/ecr";
import { CopyButton } from "../../components/CopyButton";

/** ECR's "View push commands" for one repository, for the tool the reader uses. */
export function PushCommands({ repository }: { repository: Repository }): ReactNode {
  const { config } = useClients();
  const [tool, setTool] = useState<PushTool>("Docker");
  const steps = pushCommands(tool, {
    repositoryUri: repository.repositoryUri,
    repositoryName: repository.repositoryName,
    endpoint: window.location.origin,
    region: config.region,
  });
  return (
    <section className="card" aria-labelledby="push-title">
      <div className="card-head">
        <h2 id="push-title">Push commands for {repository.repositoryName}</h2>
        <div className="segmented" role="group" aria-label="Client">
          {PUSH_TOOLS.map((t) => (
            <button key={t} type="button" className="btn" aria-pressed={tool === t} onClick={() => setTool(t)}>
              {t}
            </button>
          ))}
        </div>
      </div>
      <p className="hint">
        With the AWS CLI set up for OpenRunner (<code>AWS_SHARED_CREDENTIALS_FILE</code> and <code>AWS_CONFIG_FILE</code> pointing at the data directory&apos;s files).
      </p>
      <ol className="push-steps" data-tool={tool}>
        {steps.map((s, i) => (
          <li key={s.title}>
            <p>{s.title}</p>
            <div className="command">
              <pre>
                <code>{s.command}</code>
              </pre>
              <CopyButton text={s.command} label={`command ${i + 1}`} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
