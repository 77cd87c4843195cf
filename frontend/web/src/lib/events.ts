/** A tiny event bus for personal events from ``ws/me/`` (payment credited, bonus completed…). */
import type { MeServerFrame } from "../ws-frames";

/** Every ``ws/me/`` frame but the socket's own (hello, pong, error): the apps' events. */
export type MeEvent = Exclude<MeServerFrame, { type: "hello" | "pong" | "error" }>;
type Listener = (event: MeEvent) => void;

const listeners = new Set<Listener>();

export function emitMeEvent(event: MeEvent): void {
  for (const listener of [...listeners]) listener(event);
}

export function onMeEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
