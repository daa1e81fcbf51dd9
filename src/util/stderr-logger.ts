/** The control plane's logger when none is given: one JSON line per event on stderr. */
export const stderrLogger = (message: string, fields?: Record<string, unknown>): void => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`);
};
