import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { api, type Me, type Player, type Room } from "../api";
import { Avatar } from "../components/Avatar";
import { displayName } from "../components/Header";
import { Loading } from "../components/Loading";
import { useMe } from "../hooks/useMe";
import { useRoomSocket, type Finished, type Flying } from "../hooks/useRoomSocket";
import { setPaidGame } from "../lib/guard";
import { formatDuration, msUntil } from "../lib/time";
import { useNow } from "../lib/useNow";
import { hapticNotify, hapticTap, openTelegramLink } from "../telegram";
import { useJoinTier } from "../hooks/useRoomMutations";
import { errorText } from "../lib/errors";
import { keys } from "../queryKeys";

export function RoomScreen() {
  const { roomId } = useParams();
  // A new room (e.g. "Play again") starts from a clean slate: no results of the last one.
  return <RoomView key={roomId} id={Number(roomId)} />;
}

function RoomView({ id }: { id: number }) {
  const me = useMe();
  const socket = useRoomSocket(id, me.data?.tg_id);
  const now = useNow(100);
  const { room, finished, closed } = socket;
  const queryClient = useQueryClient();

  const isOrganizer = !!room && !!me.data && room.organizer_id === me.data.tg_id;
  const inGame =
    !!room &&
    !isOrganizer &&
    !finished &&
    !closed &&
    (room.phase === "countdown" || room.phase === "playing");

  useEffect(() => {
    setPaidGame(inGame);
  }, [inGame]);
  useEffect(() => () => setPaidGame(false), []);

  useEffect(() => {
    if (finished || closed) {
      void queryClient.invalidateQueries({ queryKey: keys.me() });
      void queryClient.invalidateQueries({ queryKey: keys.currentRoom() });
      void queryClient.invalidateQueries({ queryKey: keys.tiers() });
    }
  }, [finished, closed, queryClient]);

  if (!me.data || (!room && !closed)) return <Loading />;
  const reconnecting = socket.status === "reconnecting" && (
    <div className="reconnecting" role="status" data-testid="reconnecting">
      <ReconnectingLabel />
    </div>
  );
  let body;
  if (closed && !finished) body = <Closed reason={closed} />;
  else if (finished && room) body = <Results room={room} finished={finished} me={me.data} />;
  else if (room && room.phase === "gathering" && isOrganizer)
    body = <Organizer room={room} me={me.data} now={now} flying={socket.flying} />;
  else if (room && room.phase === "gathering")
    body = <Waiting room={room} me={me.data} now={now} socket={socket} />;
  else if (room)
    body = <Game room={room} me={me.data} now={now} socket={socket} organizer={isOrganizer} />;
  return (
    <>
      {reconnecting}
      {body}
    </>
  );
}

function ReconnectingLabel() {
  const { t } = useTranslation();
  return <>{t("room.reconnecting")}</>;
}

function roomTitle(room: Room, t: (key: string, options?: Record<string, unknown>) => string) {
  return room.kind === "hero"
    ? t("room.heroTitle", { fee: room.fee })
    : t("room.standardTitle", { fee: room.fee });
}

function FlyingEmojis({ flying }: { flying: Flying[] }) {
  return (
    <div className="flying" aria-hidden="true">
      {flying.map((f) => (
        <span key={f.id} className="flying__emoji" style={{ left: `${f.left}%` }}>
          {f.emoji}
        </span>
      ))}
    </div>
  );
}

type SocketApi = ReturnType<typeof useRoomSocket>;

function Waiting({
  room,
  me,
  now,
  socket,
}: {
  room: Room;
  me: Me;
  now: number;
  socket: SocketApi;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [leaving, setLeaving] = useState(false);
  const seats = room.max_players;
  const left = msUntil(room.deadline_at, now);
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
            </button>
          ) : (
            <span key={i} className="circle__seat circle__seat--empty" style={style} />
          );
        })}
        <button className="tap-button tap-button--idle" onClick={() => react(me.tg_id)}>
          TAP
        </button>
      </div>
      <p className="room__status" data-testid="waiting-count">
        {t("room.waitingPlayers", { count: room.seated, max: room.max_players })}
      </p>
      {room.kind === "standard" && (
        <p className="room__timer" data-testid="gather-timer">
          ⏱ {formatDuration(left)}
        </p>
      )}
      <p className="hint">{t("room.reactHint")}</p>
      <button
        className="button button--ghost"
        disabled={leaving}
        data-testid="leave-room"
        onClick={async () => {
          setLeaving(true);
          try {
            await api.leaveRoom(room.id);
            await queryClient.invalidateQueries(); // the refund, the tier's occupancy
            navigate("/", { replace: true });
          } catch {
            setLeaving(false);
          }
        }}
      >
        {t("room.leave")}
      </button>
      {room.kind === "hero" && (
        <div className="corner-timer" data-testid="hero-timer">
          ⏱ {formatDuration(left)}
        </div>
      )}
      <FlyingEmojis flying={socket.flying} />
    </main>
  );
}

function Organizer({
  room,
  me,
  now,
  flying,
}: {
  room: Room;
  me: Me;
  now: number;
  flying: Flying[];
}) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const left = msUntil(room.deadline_at, now);
  const key = room.key ?? "";
  const share = () => {
    const link = me.referral.link;
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
          <button className="button button--small button--secondary" onClick={share}>
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
      {error && <p className="error-note">{error}</p>}
      <button
        className="button button--wide"
        disabled={room.seated < 2}
        data-testid="hero-start"
        onClick={async () => {
          setError(null);
          try {
            await api.startRoom(room.id);
          } catch (err) {
            setError(errorText(err, t));
          }
        }}
      >
        {t("hero.start")}
      </button>
      {room.seated < 2 && <p className="hint">{t("hero.needTwo")}</p>}
      <div className="corner-timer" data-testid="hero-timer">
        ⏱ {formatDuration(left)}
      </div>
      <FlyingEmojis flying={flying} />
    </main>
  );
}

function Game({
  room,
  me,
  now,
  socket,
  organizer,
}: {
  room: Room;
  me: Me;
  now: number;
  socket: SocketApi;
  organizer: boolean;
}) {
  const { t } = useTranslation();
  const toStart = msUntil(room.started_at, now);
  const counting = room.phase === "countdown" && toStart > 0;
  const left = counting ? msUntil(room.ends_at, now) - toStart : msUntil(room.ends_at, now);
  const counts = socket.counts;
  const target = room.kind === "hero" ? 200 : 0;
  const mine = Math.max(socket.myTaps, counts[String(me.tg_id)] ?? 0);
  const rows = useMemo(() => {
    const value = (p: Player) => (p.tg_id === me.tg_id ? mine : (counts[String(p.tg_id)] ?? 0));
    const players = [...room.players].sort((a, b) => value(b) - value(a));
    const top = Math.max(target, ...players.map(value), 1);
    return players.map((p) => ({ player: p, taps: value(p), share: value(p) / top }));
  }, [room.players, counts, mine, me.tg_id, target]);

  const onTap = () => {
    if (counting || organizer) return;
    socket.tap();
    hapticTap();
  };

  return (
    <main className="screen room game" data-testid="game">
      <div className="game__timer" data-testid="game-timer">
        ⏱ {formatDuration(left)}
      </div>
      <h1 className="game__title">{roomTitle(room, t)}</h1>
      {target > 0 && <p className="hint">{t("game.heroGoal", { target })}</p>}
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
      {!organizer && (
        <button
          className="tap-button"
          onPointerDown={(event) => {
            event.preventDefault();
            onTap();
          }}
          onKeyDown={(event) => {
            if (event.key === " " || event.key === "Enter") onTap();
          }}
          data-testid="tap-button"
          disabled={counting}
        >
          <span className="tap-button__label">TAP</span>
          <span className="tap-button__count" data-testid="my-taps">
            {mine}
          </span>
        </button>
      )}
      {organizer && <p className="hint">{t("hero.watching")}</p>}
      {counting && (
        <div className="countdown" data-testid="countdown">
          {Math.ceil(toStart / 1000)}
        </div>
      )}
    </main>
  );
}

function Results({ room, finished, me }: { room: Room; finished: Finished; me: Me }) {
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

function Closed({ reason }: { reason: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const known = ["hero_timeout", "not_enough_players", "left", "not_found", "cancelled"];
  return (
    <main className="screen screen--center" data-testid="room-closed">
      <h1>{t("room.closedTitle")}</h1>
      <p className="hint">{t(`room.closed.${known.includes(reason) ? reason : "cancelled"}`)}</p>
      <button
        className="button"
        data-testid="to-lobby"
        onClick={() => navigate("/", { replace: true })}
      >
        {t("results.toLobby")}
      </button>
    </main>
  );
}
