/**
 * Where JSON.parse stopped, without what it read: V8's messages quote the text near the error
 * ("Unexpected token 'h', ..."DB":hunter2-se"... is not valid JSON"), which may be a password.
 */
export function jsonErrorPosition(err: unknown): string | undefined {
  return err instanceof Error ? /position \d+/.exec(err.message)?.[0] : undefined;
}
