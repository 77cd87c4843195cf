import { useCallback, useEffect, useRef, useState } from "react";
import { getToken, refreshToken, type Room } from "../api";
import { reportReconnect } from "../lib/reconnectTelemetry";
import { LiveSocket, wsUrl, type SocketStatus } from "../lib/socket";
import { TapBatcher } from "../lib/taps";
import { syncServerTime } from "../lib/time";
import { onEvent } from "../telegram";

export interface Finished {
  winner_id: number | null;
  prize: number;
  pool: number;
  counts: Record<string, number>;
}

export interface Flying {
  id: number;
  emoji: string;
  target: number;
  left: number;
}

const TAP_ERRORS = new Set([
  "tap_count_invalid",
  "tap_timestamp_future",
  "tap_timestamp_before_start",
  "tap_timestamp_backwards",
  "room_not_playing",
  "cheater",
  "cheater_flagged",
  "organizer_cannot_play",
  "tap_sender_invalid",
]);

let flyingId = 0;

/** One room over ``ws/rooms/<id>/``: full state on every (re)connect, progress, taps, reactions. */
export function useRoomSocket(roomId: number, myId: number | undefined) {
  const [room, setRoom] = useState<Room | null>(null);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [finished, setFinished] = useState<Finished | null>(null);
  const [closed, setClosed] = useState<string | null>(null);
  const [status, setStatus] = useState<SocketStatus>("connecting");
  const [myTaps, setMyTaps] = useState(0);
  const [flying, setFlying] = useState<Flying[]>([]);
  const [lastError, setLastError] = useState<string | null>(null);
  const socketRef = useRef<LiveSocket | null>(null);
  const batcherRef = useRef<TapBatcher | null>(null);
  const myIdRef = useRef(myId);
  useEffect(() => {
    myIdRef.current = myId;
  }, [myId]);

  const addFlying = useCallback((emoji: string[], target: number) => {
    const items = emoji.map((e) => ({
      id: (flyingId += 1),
      emoji: e,
      target,
      left: 10 + Math.random() * 80,
    }));
    setFlying((old) => [...old.slice(-30), ...items]);
    setTimeout(
      () => setFlying((old) => old.filter((f) => !items.some((i) => i.id === f.id))),
      2200,
    );
  }, []);

  useEffect(() => {
    const batcher = new TapBatcher((count, timestamp) =>
      socketRef.current ? socketRef.current.send({ type: "taps", count, timestamp }) : false,
    );
    batcherRef.current = batcher;
    const socket = new LiveSocket({
      url: () => wsUrl(`/ws/rooms/${roomId}/`),
      protocols: () => ["chancetap.v1", `bearer.${getToken() ?? ""}`],
      onStatus: (value, code) => {
        setStatus(value);
        if (value === "closed" && code === 4404) setClosed((old) => old ?? "not_found");
      },
      onReconnected: reportReconnect,
      onUnauthorized: refreshToken,
      onFrame: (frame) => {
        const me = String(myIdRef.current ?? "");
        switch (frame.type) {
          case "state": {
            const next = frame.room as Room;
            const nextCounts = (frame.counts ?? {}) as Record<string, number>;
            syncServerTime(Number(frame.server_time));
            setRoom(next);
            setCounts(nextCounts);
            batcher.reset(nextCounts[me] ?? 0);
            setMyTaps(batcher.count);
            if (next.phase === "finished") {
              setFinished({
                winner_id: next.winner_id,
                prize: next.prize,
                pool: next.pool,
                counts: nextCounts,
              });
            }
            if (next.phase === "cancelled") setClosed((old) => old ?? "cancelled");
            break;
          }
          case "progress":
            setCounts(frame.counts as Record<string, number>);
            break;
          case "ack":
            batcher.ack(Number(frame.taps));
            setMyTaps(batcher.count);
            break;
          case "finished":
            setFinished({
              winner_id: (frame.winner_id as number | null) ?? null,
              prize: Number(frame.prize ?? 0),
              pool: Number(frame.pool ?? 0),
              counts: (frame.counts ?? {}) as Record<string, number>,
            });
            break;
          case "reaction":
            addFlying(frame.emoji as string[], Number(frame.target));
            break;
          case "closed":
            setClosed(String(frame.reason || "closed"));
            break;
          case "error":
            if (TAP_ERRORS.has(String(frame.code))) {
              batcher.refused();
              setMyTaps(batcher.count);
            }
            setLastError(String(frame.code));
            break;
        }
      },
    }).start();
    socketRef.current = socket;
    const offActivated = onEvent("activated", () => socket.nudge());
    const onVisible = () => {
      if (document.visibilityState === "visible") socket.nudge();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      offActivated();
      document.removeEventListener("visibilitychange", onVisible);
      batcher.flush();
      batcher.stop();
      socket.stop();
      socketRef.current = null;
    };
  }, [roomId, addFlying]);

  const tap = useCallback(() => {
    const batcher = batcherRef.current;
    if (!batcher) return;
    setMyTaps(batcher.tap());
  }, []);

  const send = useCallback((frame: Record<string, unknown>) => {
    return socketRef.current?.send(frame) ?? false;
  }, []);

  return { room, counts, finished, closed, status, myTaps, flying, lastError, tap, send };
}
