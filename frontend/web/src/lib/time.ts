/** Server-clock helpers: the server's clock is authoritative (SPEC §5). */

let offsetMs = 0;

/** Remember how far the server clock is ahead of ours (from a frame's ``server_time``). */
export function syncServerTime(serverTimeMs: number, localNow: number = Date.now()): void {
  if (Number.isFinite(serverTimeMs) && serverTimeMs > 0) offsetMs = serverTimeMs - localNow;
}

export function serverNow(localNow: number = Date.now()): number {
  return localNow + offsetMs;
}

export function msUntil(iso: string | null | undefined, now: number = serverNow()): number {
  if (!iso) return 0;
  return Math.max(0, new Date(iso).getTime() - now);
}

/** 65 000 ms → "1:05"; 3 700 000 ms → "1:01:40". */
export function formatDuration(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
