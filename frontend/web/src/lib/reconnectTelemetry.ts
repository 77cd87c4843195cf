import { api } from "../api";

/** Report how long a socket was down (ignored when the endpoint is missing or fails). */
export function reportReconnect(durationMs: number): void {
  api.telemetryReconnect(durationMs).catch(() => undefined);
}
