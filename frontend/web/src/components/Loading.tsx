import { useTranslation } from "react-i18next";

export function Loading() {
  const { t } = useTranslation();
  return (
    <div className="screen screen--center" aria-busy="true">
      <div className="spinner" />
      <p className="hint">{t("loading")}</p>
    </div>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="error-note" role="alert">
      {t("common.error")}: {message}
    </p>
  );
}
