import { useEffect, useReducer, useState } from "react";
import { serverNow } from "./time";

/** Re-render every ``intervalMs`` with the server-adjusted time. Use it only in the small
 * component that shows the time: everything it wraps re-renders on every tick. */
export function useNow(intervalMs = 250): number {
  const [now, setNow] = useState(() => serverNow());
  useEffect(() => {
    const id = setInterval(() => setNow(serverNow()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** Whether the server clock has reached ``iso`` (no time: reached). Re-renders once, when it
 * is reached, instead of ticking. */
export function useReached(iso: string | null | undefined): boolean {
  const time = iso ? new Date(iso).getTime() : NaN;
  const target = Number.isFinite(time) ? time : null; // no time, or not a time: reached
  const [wakes, wake] = useReducer((n: number) => n + 1, 0);
  const reached = target === null || serverNow() >= target;
  useEffect(() => {
    if (reached || target === null) return;
    // Checked again on waking: the server clock offset may have moved meanwhile.
    const id = setTimeout(wake, Math.max(1, target - serverNow()));
    return () => clearTimeout(id);
  }, [reached, target, wakes]);
  return reached;
}
