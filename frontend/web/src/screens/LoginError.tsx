import { useTranslation } from "react-i18next";
import type { ApiError } from "../api";
import { errorText } from "../lib/errors";
import { closeApp } from "../telegram";

/** What a player can do about a failed login: nothing (blocked), reopen the app from Telegram
 * (its signed launch data is stale or refused: sending it again fails again), or try again. */
export type LoginRemedy = "blocked" | "reopen" | "retry";

const REOPEN = new Set([
  "authentication_failed",
  "auth_header_invalid",
  "auth_scheme_unsupported",
  "not_authenticated",
  "token_invalid",
  "token_unknown_user",
]);

export function loginRemedy(code: string): LoginRemedy {
  if (code === "user_blocked") return "blocked";
  if (code.startsWith("init_data_") || REOPEN.has(code)) return "reopen";
  return "retry";
}

export function LoginError({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  const { t } = useTranslation();
  const remedy = loginRemedy(error.code);
  return (
    <main className="screen screen--center" data-testid="login-error" data-code={error.code}>
      <h1>{remedy === "blocked" ? t("login.blockedTitle") : t("login.failed")}</h1>
      <p className="hint">{remedy === "blocked" ? t("login.blockedText") : errorText(error, t)}</p>
      {remedy === "retry" && (
        <button className="button" onClick={onRetry}>
          {t("login.retry")}
        </button>
      )}
      {remedy === "reopen" && (
        <button className="button" onClick={closeApp}>
          {t("login.close")}
        </button>
      )}
    </main>
  );
}
