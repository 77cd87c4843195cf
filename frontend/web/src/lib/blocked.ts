/** The server told us the player is blocked (a room socket closed with 4403 / "user_blocked"):
 * the app leaves whatever screen it shows for the "account blocked" one. */
type Listener = () => void;

const listeners = new Set<Listener>();

export function reportBlocked(): void {
  for (const listener of [...listeners]) listener();
}

export function onBlocked(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
