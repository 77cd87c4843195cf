import { msUntil } from "../../lib/time";
import { useNow } from "../../lib/useNow";
import { CLOCK_MS, TimeLeft } from "./common";
import { GameView, type GameProps } from "./RoomPlaying";

/** The seconds before the start, big over the (locked) game screen. */
function CountdownNumber({ startsAt }: { startsAt: string | null }) {
  const now = useNow(CLOCK_MS);
  return (
    <div className="countdown" data-testid="countdown" role="timer" aria-live="assertive">
      {Math.ceil(msUntil(startsAt, now) / 1000)}
    </div>
  );
}

/** Seats are final and the game starts at ``started_at``: the TAP button waits, locked; the
 * timer shows the whole game's length. */
export function RoomCountdown(props: GameProps) {
  const { room } = props;
  return (
    <GameView
      {...props}
      locked
      timer={<TimeLeft until={room.ends_at} minus={room.started_at} />}
      overlay={<CountdownNumber startsAt={room.started_at} />}
    />
  );
}
