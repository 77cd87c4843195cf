import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { Loading } from "../components/Loading";
import { useMe } from "../hooks/useMe";
import { useRoomSocket } from "../hooks/useRoomSocket";
import { reportBlocked } from "../lib/blocked";
import { setPaidGame } from "../lib/guard";
import { showNotice } from "../lib/notice";
import { useReached } from "../lib/useNow";
import { keys } from "../queryKeys";
import { RoomCountdown } from "./room/RoomCountdown";
import { RoomGathering, RoomOrganizer } from "./room/RoomGathering";
import { RoomPlaying } from "./room/RoomPlaying";
import { closedNoticeKey } from "./room/closed";
import { RoomResult } from "./room/RoomResult";

export function RoomScreen() {
  const { roomId } = useParams();
  // A new room (e.g. "Play again") starts from a clean slate: no results of the last one.
  return <RoomView key={roomId} id={Number(roomId)} />;
}

/** One room over its socket; the phase picks the screen. */
function RoomView({ id }: { id: number }) {
  const { t } = useTranslation();
  const me = useMe();
  const socket = useRoomSocket(id, me.data?.tg_id);
  const { room, finished, closed } = socket;
  const queryClient = useQueryClient();
  // The countdown ends on the clock, before the server's "playing" frame arrives.
  const started = useReached(room?.started_at);

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

  // A room that ends without a game (hero timeout, too few players, cancelled by support) sends
  // everyone back to the lobby at once, with a notice saying why; a blocked player leaves the app.
  const navigate = useNavigate();
  useEffect(() => {
    if (!closed || finished) return;
    if (closed === "user_blocked") {
      reportBlocked();
      return;
    }
    showNotice({ key: closedNoticeKey(closed, isOrganizer), tone: "info", testId: closed });
    navigate("/", { replace: true });
  }, [closed, finished, isOrganizer, navigate]);

  if (!me.data || !room || (closed && !finished)) return <Loading />;
  let body;
  if (finished) body = <RoomResult room={room} finished={finished} me={me.data} />;
  else if (room.phase === "gathering" && isOrganizer)
    body = <RoomOrganizer room={room} me={me.data} socket={socket} />;
  else if (room.phase === "gathering")
    body = <RoomGathering room={room} me={me.data} socket={socket} />;
  else if (room.phase === "countdown" && !started)
    body = <RoomCountdown room={room} me={me.data} socket={socket} organizer={isOrganizer} />;
  else body = <RoomPlaying room={room} me={me.data} socket={socket} organizer={isOrganizer} />;
  return (
    <>
      {socket.status === "reconnecting" && (
        <div className="reconnecting" role="status" data-testid="reconnecting">
          {t("room.reconnecting")}
        </div>
      )}
      {body}
    </>
  );
}
