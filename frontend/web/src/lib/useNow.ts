import { useEffect, useState } from "react";
import { serverNow } from "./time";

/** Re-render every ``intervalMs`` with the server-adjusted time. */
export function useNow(intervalMs = 250): number {
  const [now, setNow] = useState(() => serverNow());
  useEffect(() => {
    const id = setInterval(() => setNow(serverNow()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
