/**
 * A repository page's console path. Names may hold `/` (encoded into one segment) and dots,
 * and the server answers a last segment with an extension (`hello.v2`) as a missing asset,
 * not with the app: so the name is never the last segment.
 */
export const repositoryPath = (name: string): string => `/repositories/${encodeURIComponent(name)}/images`;
