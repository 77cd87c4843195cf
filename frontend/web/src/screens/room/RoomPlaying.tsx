import { useCallback, useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Me, Player, Room } from "../../api";
import { Avatar } from "../../components/Avatar";
import { displayName } from "../../components/Header";
import { hapticTap } from "../../telegram";
import { roomTitle, TimeLeft, type RoomSocket } from "./common";
import { TapButton } from "./TapButton";

export type GameSocket = Pick<RoomSocket, "counts" | "myTaps" | "tap">;

export interface GameProps {
  room: Room;
  me: Me;
  socket: GameSocket;
  /** The organizer of a hero room watches: no TAP button. */
  organizer: boolean;
}

/** The game screen, shared by the countdown (locked, with ``overlay``) and the play itself. The
 * clock lives in ``timer`` and ``overlay``: nothing else here redraws on its ticks. */
export function GameView({
  room,
  me,
  socket,
  organizer,
  locked,
  timer,
  overlay,
}: GameProps & { locked: boolean; timer: ReactNode; overlay?: ReactNode }) {
  const { t } = useTranslation();
  const { counts, myTaps, tap } = socket;
  const target = room.kind === "hero" ? 200 : 0;
  const mine = Math.max(myTaps, counts[String(me.tg_id)] ?? 0);
  const rows = useMemo(() => {
    const value = (p: Player) => (p.tg_id === me.tg_id ? mine : (counts[String(p.tg_id)] ?? 0));
    const players = [...room.players].sort((a, b) => value(b) - value(a));
    const top = Math.max(target, ...players.map(value), 1);
    return players.map((p) => ({ player: p, taps: value(p), share: value(p) / top }));
  }, [room.players, counts, mine, me.tg_id, target]);

  const onTap = useCallback(() => {
    if (locked || organizer) return;
    tap();
    hapticTap();
  }, [locked, organizer, tap]);

  return (
    <main className="screen room game" data-testid="game">
      <div className="game__timer" data-testid="game-timer">
        {timer}
      </div>
      <h1 className="game__title">{roomTitle(room, t)}</h1>
      {target > 0 && <p className="hint">{t("game.heroGoal", { count: target })}</p>}
      <ul className="bars" data-testid="progress-bars">
        {rows.map(({ player, taps, share }) => (
          <li key={player.tg_id} className={player.tg_id === me.tg_id ? "is-me" : ""}>
            <Avatar name={displayName(player)} photoUrl={player.photo_url} size={24} />
            <span className="bars__name">{displayName(player)}</span>
            <span className="bars__track">
              <span className="bars__fill" style={{ width: `${Math.min(100, share * 100)}%` }} />
            </span>
            <span className="bars__count" data-testid={`count-${player.tg_id}`}>
              {taps}
            </span>
          </li>
        ))}
      </ul>
      {/* The countdown sits on the TAP button's place, covering it (not over its label), and the
          button stays where it is when the game starts. */}
      <div className="tap-zone">
        {!organizer && <TapButton taps={mine} locked={locked} onTap={onTap} />}
        {overlay}
      </div>
      {organizer && <p className="hint">{t("hero.watching")}</p>}
    </main>
  );
}

/** The game is on: tap until ``ends_at``. */
export function RoomPlaying(props: GameProps) {
  return <GameView {...props} locked={false} timer={<TimeLeft until={props.room.ends_at} />} />;
}
