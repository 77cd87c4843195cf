import type { TFunction } from "i18next";
import { ApiError } from "../api";

/** A server error in the player's language: known codes are translated, others keep the
 * server's (English) message. */
export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    const key = `errors.${error.code}`;
    const details = (error.details ?? {}) as Record<string, unknown>;
    const translated = t(key, { ...details, defaultValue: "" });
    return translated || error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
