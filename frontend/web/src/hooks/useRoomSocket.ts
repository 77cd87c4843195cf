import { useCallback, useEffect, useRef, useState } from "react";
import { getToken, refreshToken, type Room } from "../api";
import { reportReconnect } from "../lib/reconnectTelemetry";
import { CLOSE_FORBIDDEN, reportSocketError } from "../lib/socketErrors";
import { LiveSocket, wsUrl, type SocketStatus } from "../lib/socket";
import { TapBatcher } from "../lib/taps";
import { syncServerTime } from "../lib/time";
import { onEvent } from "../telegram";
import type { FinishedFrame, RoomClientFrame, RoomServerFrame } from "../ws-frames";

/** The game's result: the ``finished`` frame, or the state of a room that is over. */
export type Finished = Omit<FinishedFrame, "type">;

/** An emoji on its way across the screen (UI state, not a frame). */
export interface Flying {
  id: number;
  emoji: string;
  target: number;
  left: number;
}

const TAP_ERRORS = new Set<string>([
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
  const socketRef = useRef<LiveSocket<RoomServerFrame, RoomClientFrame> | null>(null);
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
    const socket = new LiveSocket<RoomServerFrame, RoomClientFrame>({
      url: () => wsUrl(`/ws/rooms/${roomId}/`),
      protocols: () => ["chancetap.v1", `bearer.${getToken() ?? ""}`],
      onStatus: (value, code) => {
        setStatus(value);
        if (value === "closed" && code === 4404) setClosed((old) => old ?? "not_found");
        // 4403: the player was blocked while seated (the "closed" frame may come first, or not).
        if (value === "closed" && code === CLOSE_FORBIDDEN) setClosed("user_blocked");
      },
      onReconnected: reportReconnect,
      onUnauthorized: refreshToken,
      onFrame: (frame) => {
        const me = String(myIdRef.current ?? "");
        switch (frame.type) {
          case "state": {
            const next = frame.room;
            const nextCounts = frame.counts;
            syncServerTime(frame.server_time);
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
            setCounts(frame.counts);
            break;
          case "ack":
            batcher.ack(frame.taps);
            setMyTaps(batcher.count);
            break;
          case "finished": {
            const { winner_id, prize, pool, counts } = frame;
            setFinished({ winner_id, prize, pool, counts });
            break;
          }
          case "reaction":
            addFlying(frame.emoji, frame.target);
            break;
          case "closed":
            setClosed(frame.reason);
            break;
          case "error":
            if (TAP_ERRORS.has(frame.code)) {
              batcher.refused();
              setMyTaps(batcher.count);
            }
            if (frame.code === "user_blocked") setClosed("user_blocked");
            else reportSocketError(frame.code);
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

  const send = useCallback((frame: RoomClientFrame) => {
    return socketRef.current?.send(frame) ?? false;
  }, []);

  return { room, counts, finished, closed, status, myTaps, flying, tap, send };
}
