import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api";
import { Avatar } from "../components/Avatar";
import { displayName } from "../components/Header";
import { ErrorNote, Loading } from "../components/Loading";
import { useBonusMutations } from "../hooks/useBonusMutations";
import { useMe } from "../hooks/useMe";
import { useSettingsMutation } from "../hooks/useSettingsMutation";
import { useTonUnlinkMutation } from "../hooks/useWallet";
import { setLanguage, type Language } from "../i18n";
import { usePayments } from "../payments/PaymentsProvider";
import { botLink } from "../lib/history";
import { openTelegramLink } from "../telegram";
import { keys } from "../queryKeys";

const TonLink = lazy(() => import("../ton/TonLink"));

function shortAddress(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}

export function Profile() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const unlink = useTonUnlinkMutation();
  const settings = useSettingsMutation();
  const { cancel: cancelBonus } = useBonusMutations();
  const referrals = useQuery({ queryKey: keys.referrals(), queryFn: api.referrals });
  const { askTopUp } = usePayments();
  const [linking, setLinking] = useState(false);
  const [copied, setCopied] = useState(false);

  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorNote error={me.error} />;
  const profile = me.data;
  const name = profile.display_name || displayName(profile);
  const run = profile.bonus_run;
  const bot = botLink(profile.referral.link);
  return (
    <main className="screen" data-testid="profile">
      <section className="profile-head">
        <Avatar name={name} photoUrl={profile.photo_url} size={72} />
        <div>
          <h1 data-testid="profile-name">{name}</h1>
          {profile.username && <div className="hint">@{profile.username}</div>}
        </div>
      </section>

      <section className="card">
        <div className="hint">{t("home.balance")}</div>
        <div className="row row--between">
          <div className="balance" data-testid="profile-balance">
            ⭐ {t("home.stars", { count: profile.balance })}
          </div>
          <button className="button button--small" onClick={() => askTopUp(null)}>
            {t("home.topUp")}
          </button>
        </div>
        {(profile.debt ?? 0) > 0 && (
          <div className="hint" data-testid="profile-debt">
            {t("profile.debt", { count: profile.debt })}
          </div>
        )}
      </section>

      <section className="card" data-testid="ton-wallet">
        <h2>{t("profile.tonWallet")}</h2>
        {profile.ton_wallet ? (
          <div className="row row--between">
            <code data-testid="ton-address">{shortAddress(profile.ton_wallet.address)}</code>
            <button className="button button--small button--ghost" onClick={() => unlink.mutate()}>
              {t("profile.unlink")}
            </button>
          </div>
        ) : linking ? (
          <Suspense fallback={<div className="spinner spinner--small" />}>
            <TonLink onDone={() => setLinking(false)} />
          </Suspense>
        ) : (
          <button className="button" onClick={() => setLinking(true)} data-testid="link-wallet">
            💎 {t("profile.linkWallet")}
          </button>
        )}
      </section>

      <section className="card" data-testid="stats">
        <h2>{t("profile.stats")}</h2>
        <dl className="stats">
          <dt>{t("profile.games")}</dt>
          <dd>{profile.stats.games_played}</dd>
          <dt>{t("profile.wins")}</dt>
          <dd>{profile.stats.wins}</dd>
          <dt>{t("profile.starsWon")}</dt>
          <dd>⭐ {profile.stats.stars_won}</dd>
          <dt>{t("profile.tonsAll")}</dt>
          <dd>{profile.stats.tons_all_time}</dd>
          <dt>{t("profile.tonsWeek")}</dt>
          <dd>{profile.stats.tons_week}</dd>
        </dl>
      </section>

      <nav className="card link-list" data-testid="profile-links">
        <Link to="/history" data-testid="history-link">
          <span>🧾 {t("history.open")}</span>
          <span aria-hidden="true">›</span>
        </Link>
        <Link to="/terms" data-testid="terms-link">
          <span>📜 {t("terms.open")}</span>
          <span aria-hidden="true">›</span>
        </Link>
      </nav>

      {run && run.status === "active" && (
        <section className="card" data-testid="profile-bonus">
          <h2>{t("bonus.title")}</h2>
          <span className="meter">
            <span
              className="meter__fill"
              style={{ width: `${(100 * run.taps) / run.target_taps}%` }}
            />
          </span>
          <p>{t("bonus.progressShort", { taps: run.taps, count: run.target_taps })}</p>
          <div className="row">
            <Link className="button button--small" to="/bonus">
              {t("bonus.open")}
            </Link>
            <button
              className="button button--small button--ghost"
              onClick={() => cancelBonus.mutate()}
            >
              {t("bonus.cancel")}
            </button>
          </div>
        </section>
      )}

      <section className="card" data-testid="referral">
        <h2>{t("profile.referral")}</h2>
        <div className="hint">{t("profile.code")}</div>
        <code data-testid="referral-code">{profile.referral.code}</code>
        <div className="hint">{t("profile.link")}</div>
        <code className="wrap" data-testid="referral-link">
          {profile.referral.link}
        </code>
        <div className="row">
          <button
            className="button button--small"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(profile.referral.link);
                setCopied(true);
              } catch {
                setCopied(false);
              }
            }}
          >
            {copied ? t("common.copied") : t("common.copy")}
          </button>
          <button
            className="button button--small button--secondary"
            data-testid="referral-share"
            onClick={() => {
              const url =
                referrals.data?.share_url ??
                `https://t.me/share/url?url=${encodeURIComponent(profile.referral.link)}`;
              openTelegramLink(url);
            }}
          >
            {t("common.share")}
          </button>
        </div>
        <p className="hint">
          {t("profile.referralStats", {
            count: referrals.data?.referrals.total ?? profile.referral.referrals_count,
            tons: profile.referral.referrals_tons,
          })}
        </p>
        <ul className="player-list" data-testid="referral-list">
          {referrals.data?.referrals.items.map((r) => (
            <li key={r.tg_id}>
              <Avatar name={displayName(r)} photoUrl={r.photo_url} size={28} /> {displayName(r)}
            </li>
          ))}
          {referrals.data && referrals.data.referrals.items.length === 0 && (
            <li className="hint">{t("profile.noReferrals")}</li>
          )}
        </ul>
      </section>

      <section className="card" data-testid="notifications">
        <h2>{t("notifications.title")}</h2>
        <label className="switch-row">
          <span>
            <span className="switch-row__label">{t("notifications.gameResults")}</span>
            <span className="hint">{t("notifications.gameResultsHint")}</span>
          </span>
          <input
            type="checkbox"
            role="switch"
            className="switch"
            checked={profile.notify_game_results}
            aria-checked={profile.notify_game_results}
            disabled={settings.isPending}
            onChange={(event) => settings.mutate({ notify_game_results: event.target.checked })}
            data-testid="notify-game-results"
          />
        </label>
        {settings.isError && (
          <p className="error-note" role="alert">
            {t("notifications.failed")}
          </p>
        )}
        {profile.bot_blocked && (
          <div className="notice" data-testid="bot-blocked">
            <p>{t("notifications.blocked")}</p>
            {bot && (
              <button
                className="button button--small"
                onClick={() => openTelegramLink(bot)}
                data-testid="open-bot"
              >
                {t("notifications.openBot")}
              </button>
            )}
          </div>
        )}
      </section>

      <section className="card">
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
      </section>
    </main>
  );
}
