/** Rules & terms (Profile → Rules & terms, also /terms): the game's rules and the payment terms,
 * the fuller version of the bot's /terms. */
import { useTranslation } from "react-i18next";

export const TERMS_SECTIONS = [
  "rooms",
  "winner",
  "shares",
  "refunds",
  "bonus",
  "donations",
  "ton",
  "cheating",
  "blocked",
  "support",
] as const;

export default function Terms() {
  const { t } = useTranslation();
  return (
    <main className="screen terms" data-testid="terms">
      <h1>{t("terms.title")}</h1>
      <p className="hint">{t("terms.intro")}</p>
      {TERMS_SECTIONS.map((id) => (
        <section key={id} className="card" data-testid={`terms-${id}`}>
          <h2>{t(`terms.sections.${id}.title`)}</h2>
          {t(`terms.sections.${id}.body`)
            .split("\n")
            .map((paragraph, index) => (
              <p key={index}>{paragraph}</p>
            ))}
        </section>
      ))}
      <p className="hint">{t("terms.paysupport")}</p>
    </main>
  );
}
