/**
 * The JSON 1.0 wire form of an SDK type: timestamps travel as epoch seconds. Documents are
 * stored in this form so a read is a parse and a write, with no mapping in between.
 */
export type Wire<T> = T extends Date
  ? number
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export const epochSeconds = (ms: number): number => ms / 1000;
