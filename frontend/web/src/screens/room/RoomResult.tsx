import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import type { Me, Room } from "../../api";
import { Avatar } from "../../components/Avatar";
import { displayName } from "../../components/Header";
import { useJoinTier } from "../../hooks/useRoomMutations";
import type { Finished } from "../../hooks/useRoomSocket";
import { hapticNotify } from "../../telegram";

/** The winner, the prize, the new balance; "Play again" at the same tier. */
export function RoomResult({ room, finished, me }: { room: Room; finished: Finished; me: Me }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { join, joining } = useJoinTier();
  const winner = room.players.find((p) => p.tg_id === finished.winner_id);
  const iWon = finished.winner_id === me.tg_id;
  const isOrganizer = room.organizer_id === me.tg_id;
  useEffect(() => {
    hapticNotify(iWon ? "success" : "warning");
  }, [iWon]);
  const myTaps = finished.counts[String(me.tg_id)] ?? 0;
  return (
    <main className="screen screen--center results" data-testid="results">
      <h1>{iWon ? t("results.youWon") : t("results.title")}</h1>
      {winner ? (
        <div className="results__winner" data-testid="winner">
          <Avatar name={displayName(winner)} photoUrl={winner.photo_url} size={96} />
          <div className="results__name" data-testid="winner-name">
            {displayName(winner)}
          </div>
          <div className="hint">
            {t("results.taps", { count: finished.counts[String(winner.tg_id)] ?? winner.taps })}
          </div>
          <div className="results__prize" data-testid="prize">
            ⭐ {finished.prize}
          </div>
        </div>
      ) : (
        <p data-testid="no-winner">{t("results.noWinner")}</p>
      )}
      <p className="hint" data-testid="prize-pool">
        {t("results.pool", { count: finished.pool })}
      </p>
      {!isOrganizer && <p className="hint">{t("results.yourTaps", { count: myTaps })}</p>}
      <p data-testid="results-balance">
        {t("results.balance")}: ⭐ {me.balance}
      </p>
      <div className="row">
        <button
          className="button button--secondary"
          data-testid="to-lobby"
          onClick={() => navigate("/", { replace: true })}
        >
          {t("results.toLobby")}
        </button>
        {room.kind === "standard" && room.tier_id !== null && !isOrganizer && (
          <button
            className="button"
            data-testid="play-again"
            disabled={joining !== null}
            onClick={() => join({ id: room.tier_id as number })}
          >
            {t("results.playAgain")}
          </button>
        )}
      </div>
    </main>
  );
}
