import { useCallback, useEffect, useRef, useState } from "react";
import { problemOf, type ApiProblem } from "./api/errors";

export interface Loaded<T> {
  data: T | undefined;
  /** The last load's failure, a denial told apart (ApiProblem.denied). */
  error: ApiProblem | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` now, whenever `key` changes, and again every `everyMs` while that is set
 * (the console shows status changes without reloading by polling the same read APIs).
 * A slow answer to an older key never overwrites a newer one.
 */
export function usePolled<T>(load: () => Promise<T>, key: string, everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiProblem | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (v) => {
        if (!live) return;
        setData(v);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(problemOf(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  useEffect(() => {
    if (!everyMs) return undefined;
    const timer = window.setInterval(() => setTick((t) => t + 1), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs, key]);
  useEffect(() => {
    setData(undefined);
  }, [key]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

export function formatTime(d: Date | undefined): string {
  return d ? d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }) : "—";
}
