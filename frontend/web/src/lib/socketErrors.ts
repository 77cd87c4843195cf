import i18n from "i18next";
import { reportBlocked } from "./blocked";
import { showNotice } from "./notice";

/** The player's account is blocked: the socket closed with 4403 (``accounts.ws_auth``). */
export const CLOSE_FORBIDDEN = 4403;

/** An ``error`` frame from a socket, told to the player: a blocked account leaves for the
 * "account blocked" screen; any other code shows as a notice in the player's language (the
 * catalogue's text, or the generic one for a code this build does not know yet). */
export function reportSocketError(code: string): void {
  if (code === "user_blocked") {
    reportBlocked();
    return;
  }
  const key = i18n.exists(`errors.${code}`) ? `errors.${code}` : "errors.unexpected";
  showNotice({ key, tone: "error", testId: `error-${code}` });
}
