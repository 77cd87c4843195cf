import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, ApiError, newIdempotencyKey, type Tier } from "../api";
import { Header } from "../components/Header";
import { ErrorNote, Loading } from "../components/Loading";
import { useMe } from "../hooks/useMe";
import { usePayments } from "../payments/PaymentsProvider";
import { hapticTap } from "../telegram";
import { errorText } from "../lib/errors";
import { keys } from "../queryKeys";

/** Join a tier: the fee is debited and we go to the room; a short balance asks for a top-up. */
export function useJoinTier() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { askTopUp } = usePayments();
  const [joining, setJoining] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);

  const join = async (tier: Pick<Tier, "id">) => {
    if (busy.current) return;
    busy.current = true;
    setJoining(tier.id);
    setError(null);
    hapticTap();
    try {
      const room = await api.joinTier(tier.id, newIdempotencyKey());
      void queryClient.invalidateQueries({ queryKey: keys.me() });
      navigate(`/room/${room.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === "insufficient_balance") {
        const details = err.details as { shortfall?: number } | undefined;
        askTopUp(details?.shortfall ?? 1, () => void join(tier));
      } else if (err instanceof ApiError && err.code === "already_in_room") {
        const details = err.details as { room_id?: number } | undefined;
        if (details?.room_id) navigate(`/room/${details.room_id}`);
      } else {
        setError(errorText(err, t));
      }
    } finally {
      busy.current = false;
      setJoining(null);
    }
  };
  return { join, joining, error };
}

export function Home() {
  const { t } = useTranslation();
  const me = useMe();
  const tiers = useQuery({ queryKey: keys.tiers(), queryFn: api.tiers, refetchInterval: 3_000 });
  const current = useQuery({ queryKey: keys.currentRoom(), queryFn: api.currentRoom });
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
                taps: me.data.bonus_run.taps.toLocaleString(),
                target: me.data.bonus_run.target_taps.toLocaleString(),
              })
            : t("bonus.teaser")}
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
            onClick={() => void join(tier)}
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
