import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import type { Me, Room } from "../../api";
import { Avatar } from "../../components/Avatar";
import { displayName } from "../../components/Header";
import { useLeaveRoomMutation, useStartRoomMutation } from "../../hooks/useRoomMutations";
import { errorText } from "../../lib/errors";
import { showNotice } from "../../lib/notice";
import { hapticTap, openTelegramLink } from "../../telegram";
import { FlyingEmojis, roomTitle, TimeLeft, type RoomSocket } from "./common";

/** A player waits for the table to fill: seats in a circle (tap one to send a reaction). */
export function RoomGathering({
  room,
  me,
  socket,
}: {
  room: Room;
  me: Me;
  socket: Pick<RoomSocket, "send" | "flying">;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const leave = useLeaveRoomMutation(() => {
    showNotice({ key: "room.closed.left", tone: "info", testId: "left" });
    navigate("/", { replace: true });
  });
  const seats = room.max_players;
  const react = (target: number) => {
    hapticTap();
    socket.send({ type: "reaction", target });
  };
  return (
    <main className="screen room" data-testid="waiting">
      <header className="room__head">
        <h1>{roomTitle(room, t)}</h1>
        <div className="hint">{t("room.pool", { count: room.pool })}</div>
      </header>
      <div className="circle">
        {Array.from({ length: seats }, (_, i) => {
          const player = room.players.find((p) => p.seat === i);
          const angle = (2 * Math.PI * i) / seats - Math.PI / 2;
          const style = {
            left: `calc(50% + ${Math.cos(angle) * 42}% - 22px)`,
            top: `calc(50% + ${Math.sin(angle) * 42}% - 22px)`,
          };
          return player ? (
            <button
              key={i}
              className={`circle__seat${player.tg_id === me.tg_id ? " is-me" : ""}`}
              style={style}
              onClick={() => react(player.tg_id)}
              data-testid={`seat-${player.tg_id}`}
              aria-label={displayName(player)}
            >
              <Avatar name={displayName(player)} photoUrl={player.photo_url} size={44} />
              <span className="circle__name" data-testid={`seat-name-${player.tg_id}`}>
                {displayName(player)}
              </span>
            </button>
          ) : (
            <span key={i} className="circle__seat circle__seat--empty" style={style} />
          );
        })}
        <button className="tap-button tap-button--idle" onClick={() => react(me.tg_id)}>
          {t("game.tap")}
        </button>
      </div>
      <p className="room__status" data-testid="waiting-count">
        {t("room.waitingPlayers", { count: room.seated, max: room.max_players })}
      </p>
      {room.kind === "standard" && (
        <p className="room__timer" data-testid="gather-timer">
          <TimeLeft until={room.deadline_at} />
        </p>
      )}
      {room.kind === "hero" && (
        <p className="room__note" data-testid="hero-wait-hint">
          {t("room.heroWaitHint")}
        </p>
      )}
      <p className="hint">{t("room.reactHint")}</p>
      <button
        className="button button--ghost"
        disabled={leave.isPending || leave.isSuccess}
        data-testid="leave-room"
        onClick={() => leave.mutate(room.id)}
      >
        {t("room.leave")}
      </button>
      {leave.error && (
        <p className="error-note" role="alert" data-testid="leave-error">
          {t("room.leaveFailed", { reason: errorText(leave.error, t) })}
        </p>
      )}
      {room.kind === "hero" && (
        <div className="corner-timer" data-testid="hero-timer">
          <TimeLeft until={room.deadline_at} />
        </div>
      )}
      <FlyingEmojis flying={socket.flying} />
    </main>
  );
}

/** The organizer of a hero room: the key to share, who joined, and "Start". */
export function RoomOrganizer({
  room,
  me,
  socket,
}: {
  room: Room;
  me: Me;
  socket: Pick<RoomSocket, "flying">;
}) {
  const { t } = useTranslation();
  const start = useStartRoomMutation();
  const [copied, setCopied] = useState(false);
  const key = room.key ?? "";
  const share = () => {
    // The room's own deep link (startapp=hero_<KEY>) opens the app on the join form; the text
    // carries the key as well for whoever types it in.
    const link = room.join_link ?? me.referral.link;
    const text = t("hero.shareText", { key, fee: room.fee });
    openTelegramLink(
      `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(text)}`,
    );
  };
  return (
    <main className="screen room" data-testid="organizer">
      <header className="room__head">
        <h1>{roomTitle(room, t)}</h1>
        <div className="hint">{t("hero.organizerHint")}</div>
      </header>
      <div className="key-box">
        <div className="hint">{t("hero.key")}</div>
        <div className="key-box__key" data-testid="hero-key">
          {key}
        </div>
        <div className="row">
          <button
            className="button button--small"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(key);
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
            onClick={share}
            data-testid="hero-share"
          >
            {t("common.share")}
          </button>
        </div>
      </div>
      <p className="room__status" data-testid="organizer-count">
        {t("hero.joined", { count: room.seated })}
      </p>
      <ul className="player-list" data-testid="organizer-players">
        {room.players.map((p) => (
          <li key={p.tg_id}>
            <Avatar name={displayName(p)} photoUrl={p.photo_url} size={32} /> {displayName(p)}
          </li>
        ))}
      </ul>
      {start.error && <p className="error-note">{errorText(start.error, t)}</p>}
      <button
        className="button button--wide"
        disabled={room.seated < 2}
        data-testid="hero-start"
        onClick={() => start.mutate(room.id)}
      >
        {t("hero.start")}
      </button>
      {room.seated < 2 && <p className="hint">{t("hero.needTwo")}</p>}
      <div className="corner-timer" data-testid="hero-timer">
        <TimeLeft until={room.deadline_at} />
      </div>
      <FlyingEmojis flying={socket.flying} />
    </main>
  );
}
