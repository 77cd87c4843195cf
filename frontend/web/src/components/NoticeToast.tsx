import { useEffect, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { currentNotice, dismissNotice, onNotice } from "../lib/notice";

/** How long a notice stays before it goes by itself. */
export const NOTICE_MS = 6_000;

const subscribe = (callback: () => void) => onNotice(callback);

/** The notice of ``lib/notice`` at the top of the screen: read out by screen readers (a status,
 * or an alert for errors), in the Telegram theme's colours, gone after a few seconds or a tap. */
export function NoticeToast() {
  const { t } = useTranslation();
  const notice = useSyncExternalStore(subscribe, currentNotice);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => dismissNotice(notice.id), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  if (!notice) return null;
  return (
    <div
      className={`toast notice${notice.tone === "error" ? " toast--error" : ""}`}
      role={notice.tone === "error" ? "alert" : "status"}
      data-testid="notice"
      data-notice={notice.testId ?? notice.key}
    >
      <span>{t(notice.key, notice.values)}</span>
      <button
        className="icon-button notice__close"
        aria-label={t("common.close")}
        onClick={() => dismissNotice(notice.id)}
      >
        ✕
      </button>
    </div>
  );
}
