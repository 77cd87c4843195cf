/**
 * One short message at a time, shown over whatever screen comes next (e.g. "the organizer did not
 * start in time" on the lobby after a hero room timed out). A new notice replaces the old one, so
 * the same news told twice (the socket and the REST answer) shows once. Notices are i18n keys,
 * translated when drawn.
 */
export interface Notice {
  id: number;
  key: string;
  /** Interpolation values for the key's text (e.g. ``{ count: 100 }``). */
  values?: Record<string, string | number>;
  tone: "info" | "error";
  testId?: string;
}

type Listener = (notice: Notice | null) => void;

let current: Notice | null = null;
let nextId = 0;
const listeners = new Set<Listener>();

function publish(notice: Notice | null): void {
  current = notice;
  for (const listener of [...listeners]) listener(notice);
}

export function showNotice(notice: Omit<Notice, "id">): void {
  if (current && current.key === notice.key && current.tone === notice.tone) return;
  publish({ ...notice, id: (nextId += 1) });
}

/** Dismiss ``id`` (or whatever is shown). */
export function dismissNotice(id?: number): void {
  if (current && (id === undefined || current.id === id)) publish(null);
}

export function currentNotice(): Notice | null {
  return current;
}

export function onNotice(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
