import { formatDuration, msUntil } from "../lib/time";
import { useNow } from "../lib/useNow";

/** "⏱ 1:05" until ``until`` (less the time until ``minus``), redrawn every ``everyMs``: the only
 * part of a screen that re-renders on the clock. */
export function TimeLeft({
  until,
  minus,
  everyMs,
}: {
  until: string | null;
  minus?: string | null;
  everyMs: number;
}) {
  const now = useNow(everyMs);
  const left = msUntil(until, now) - (minus ? msUntil(minus, now) : 0);
  return <>⏱ {formatDuration(left)}</>;
}
