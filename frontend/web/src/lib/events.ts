/** A tiny event bus for personal events from ``ws/me/`` (payment credited, bonus completed…). */

export type MeEvent = { type: string } & Record<string, unknown>;
type Listener = (event: MeEvent) => void;

const listeners = new Set<Listener>();

export function emitMeEvent(event: MeEvent): void {
  for (const listener of [...listeners]) listener(event);
}

export function onMeEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
