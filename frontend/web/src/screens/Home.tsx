import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api";
import { Header } from "../components/Header";
import { ErrorNote, Loading } from "../components/Loading";
import { useMe } from "../hooks/useMe";
import { useRules } from "../hooks/useRules";
import { useJoinTier } from "../hooks/useRoomMutations";
import { keys } from "../queryKeys";

export function Home() {
  const { t } = useTranslation();
  const me = useMe();
  const tiers = useQuery({ queryKey: keys.tiers(), queryFn: api.tiers, refetchInterval: 3_000 });
  const current = useQuery({ queryKey: keys.currentRoom(), queryFn: api.currentRoom });
  const rules = useRules();
  const { join, joining, error } = useJoinTier();

  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorNote error={me.error} />;
  return (
    <main className="screen" data-testid="home">
      <Header me={me.data} />
      {current.data?.room && (
        <Link className="banner" to={`/room/${current.data.room.id}`} data-testid="back-to-room">
          {t("home.backToRoom")} →
        </Link>
      )}
      <Link className="bonus-card" to="/bonus" data-testid="bonus-link">
        <span>🎁 {t("bonus.title")}</span>
        <span className="hint">
          {me.data.bonus_run
            ? t("bonus.progressShort", {
                taps: me.data.bonus_run.taps,
                count: me.data.bonus_run.target_taps,
              })
            : rules.data
              ? t("bonus.teaser", {
                  count: rules.data.bonus.target_taps,
                  hours: rules.data.bonus.duration_hours,
                  reward: rules.data.bonus.reward_stars,
                })
              : ""}
        </span>
      </Link>
      <h2 className="section-title">{t("home.rooms")}</h2>
      {error && <p className="error-note">{error}</p>}
      {tiers.isError && <ErrorNote error={tiers.error} />}
      <div className="tiers" data-testid="tiers">
        {(tiers.data ?? []).map((tier) => (
          <button
            key={tier.id}
            className="tier-card"
            data-testid={`tier-${tier.stars}`}
            disabled={joining !== null}
            onClick={() => join(tier)}
          >
            <span className="tier-card__price">⭐ {tier.stars}</span>
            <span className="tier-card__occupancy" data-testid={`tier-${tier.stars}-waiting`}>
              {t("home.waiting", { count: tier.waiting, max: tier.max_players })}
            </span>
            <span className="meter">
              <span
                className="meter__fill"
                style={{ width: `${(100 * tier.waiting) / Math.max(tier.max_players, 1)}%` }}
              />
            </span>
            <span className="tier-card__cta">
              {joining === tier.id ? t("home.joining") : t("home.play")}
            </span>
          </button>
        ))}
      </div>
    </main>
  );
}
