import { useTranslation } from "react-i18next";

export function devLoginAvailable(doc: Document = document): boolean {
  return doc.querySelector('meta[name="chancetap-dev-login"]')?.getAttribute("content") === "1";
}

export function OutsideTelegram() {
  const { t } = useTranslation();
  return (
    <main className="screen screen--center" data-testid="outside-telegram">
      <h1>{t("outside.title")}</h1>
      <p className="hint">{t("outside.text")}</p>
      {devLoginAvailable() && (
        <a className="button" href="/dev/login" data-testid="dev-login">
          {t("outside.devLogin")}
        </a>
      )}
    </main>
  );
}
