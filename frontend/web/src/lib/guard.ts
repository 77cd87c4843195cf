import { setClosingConfirmation } from "../telegram";

/**
 * During a paid game the Back button is hidden and Telegram asks before closing the app.
 * Screens call ``setPaidGame(true/false)``; the shell reads ``inPaidGame()``.
 */
let paidGame = false;
const listeners = new Set<() => void>();

export function setPaidGame(active: boolean): void {
  if (paidGame === active) return;
  paidGame = active;
  setClosingConfirmation(active);
  for (const listener of listeners) listener();
}

export function inPaidGame(): boolean {
  return paidGame;
}

export function onPaidGameChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
