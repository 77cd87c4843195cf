import { useTranslation } from "react-i18next";
import type { Profile } from "../api";
import { Avatar } from "../components/Avatar";
import { setLanguage, type Language } from "../i18n";

export function Home({ profile }: { profile: Profile }) {
  const { t, i18n } = useTranslation();
  const name = profile.display_name || profile.first_name || String(profile.tg_id);
  return (
    <main className="screen" data-testid="home">
      <header className="header">
        <h1 className="header__title">{t("app.title")}</h1>
        <div className="header__user">
          <Avatar name={name} photoUrl={profile.photo_url} />
          <div>
            <div className="header__name" data-testid="user-name">
              {name}
            </div>
            {profile.username && <div className="hint">@{profile.username}</div>}
          </div>
        </div>
      </header>
      <section className="card">
        <div className="hint">{t("home.balance")}</div>
        <div className="balance" data-testid="user-balance">
          ⭐ {t("home.stars", { count: profile.balance ?? 0 })}
        </div>
      </section>
      <p className="welcome">{t("home.welcome", { name: profile.first_name || name })}</p>
      <label className="language">
        {t("language.label")}{" "}
        <select
          value={i18n.language}
          onChange={(event) => setLanguage(event.target.value as Language)}
          data-testid="language-select"
        >
          <option value="en">{t("language.en")}</option>
          <option value="ru">{t("language.ru")}</option>
        </select>
      </label>
    </main>
  );
}
