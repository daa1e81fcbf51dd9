import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { useClients } from "../../api/clients";
import { describeImages, describeRepository, ecrRead, getLifecyclePolicy, type EcrAnswer, type ImageDetail, type LifecyclePolicy, type Repository } from "../../api/ecr";
import { usePolled, type Loaded } from "../../hooks";

/** A repository with its images and lifecycle policy. */
export interface RepositoryView {
  repository: Repository;
  images: ImageDetail[];
  policy: LifecyclePolicy | undefined;
}

/** One repository's page; `undefined` when it does not exist. */
export async function loadRepositoryView(apprunner: AppRunnerClient, name: string): Promise<RepositoryView | undefined> {
  const repository = await describeRepository(apprunner, name);
  if (!repository) return undefined;
  const [images, policy] = await Promise.all([describeImages(apprunner, name), getLifecyclePolicy(apprunner, name)]);
  return { repository, images, policy };
}

/** Loads one repository's page, polled every 5 s so new pushes and expired images show up. */
export function useRepository(name: string): Loaded<EcrAnswer<RepositoryView | undefined>> {
  const { apprunner } = useClients();
  return usePolled(() => ecrRead(() => loadRepositoryView(apprunner, name)), `repository-${name}`, 5000);
}
