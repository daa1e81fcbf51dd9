import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { describeRepositories, ecrRead, humanMutability } from "../../api/ecr";
import { CopyButton } from "../../components/CopyButton";
import { ErrorBanner } from "../../components/Field";
import { FilterBox } from "../../components/FilterBox";
import { formatTime, usePolled } from "../../hooks";
import { Link } from "../../router";
import { NotServed } from "./NotServed";
import { repositoryPath } from "./paths";

/** The built-in registry's repositories (ECR's "Private repositories"), refreshed every 5 s. */
export function RepositoriesPage(): ReactNode {
  const { apprunner } = useClients();
  const [filter, setFilter] = useState("");
  const answer = usePolled(() => ecrRead(() => describeRepositories(apprunner)), "repositories", 5000);
  const repositories = answer.data?.served ? answer.data.value : undefined;
  const needle = filter.trim().toLowerCase();
  const shown = (repositories ?? []).filter((r) => needle === "" || r.repositoryName.toLowerCase().includes(needle));
  return (
    <section aria-labelledby="repositories-title">
      <h1 id="repositories-title">
        Repositories <span className="count">({repositories?.length ?? 0})</span>
      </h1>
      <ErrorBanner message={answer.error} listing="repositories" />
      {answer.data && !answer.data.served && <NotServed />}
      {repositories && repositories.length === 0 && (
        <div className="empty">
          <p>No repositories yet.</p>
          <p className="hint">
            Create one with <code>aws ecr create-repository --repository-name hello</code>, then push an image to it.
          </p>
        </div>
      )}
      {repositories && repositories.length > 0 && (
        <>
          <FilterBox label="Filter repositories" value={filter} onChange={setFilter} />
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Repository name</th>
                  <th scope="col">URI</th>
                  <th scope="col">Tag immutability</th>
                  <th scope="col">Created at</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.repositoryArn || r.repositoryName} data-repository={r.repositoryName}>
                    <td data-label="Repository name">
                      <Link to={repositoryPath(r.repositoryName)}>{r.repositoryName}</Link>
                    </td>
                    <td data-label="URI" className="wrap">
                      <code>{r.repositoryUri}</code> <CopyButton text={r.repositoryUri} label={`URI of ${r.repositoryName}`} />
                    </td>
                    <td data-label="Tag immutability">{humanMutability(r.imageTagMutability)}</td>
                    <td data-label="Created at">{formatTime(r.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {shown.length === 0 && <p className="hint">No repository matches “{filter}”.</p>}
          </div>
        </>
      )}
    </section>
  );
}
