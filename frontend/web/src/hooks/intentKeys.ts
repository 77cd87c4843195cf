import { useState } from "react";
import { newIdempotencyKey } from "../api";

/**
 * One ``Idempotency-Key`` per intent. The same request tried again after a failure (the player
 * presses the button again after "no connection", or a retry) sends the same key, so a request
 * that did reach the server is answered from its record instead of acting twice, and an invoice
 * whose Telegram link failed is completed rather than duplicated. A success ends the intent: the
 * next request, even an identical one, is a new intent with a new key. The server stores only
 * successes, so reusing a key after a refusal (e.g. a short balance) simply runs it again.
 */
export class IntentKeys {
  private current: { intent: string; key: string } | null = null;

  constructor(private readonly make: () => string = newIdempotencyKey) {}

  /** The key for this intent (any JSON value naming the action and its input). */
  keyFor(intent: unknown): string {
    const id = JSON.stringify(intent);
    if (this.current?.intent !== id) this.current = { intent: id, key: this.make() };
    return this.current.key;
  }

  /** The intent succeeded: its key is spent. */
  done(intent: unknown): void {
    if (this.current?.intent === JSON.stringify(intent)) this.current = null;
  }
}

/** Intent keys that live as long as the component using them. */
export function useIntentKeys(): IntentKeys {
  const [intents] = useState(() => new IntentKeys());
  return intents;
}
