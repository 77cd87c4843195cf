import type { TFunction } from "i18next";
import type { Room } from "../../api";
import type { Flying, useRoomSocket } from "../../hooks/useRoomSocket";
import { formatDuration, msUntil } from "../../lib/time";
import { useNow } from "../../lib/useNow";

export type RoomSocket = ReturnType<typeof useRoomSocket>;

/** How often the room's clocks redraw (only the clocks: see ``TimeLeft``). */
export const CLOCK_MS = 100;

export function roomTitle(room: Room, t: TFunction): string {
  return room.kind === "hero"
    ? t("room.heroTitle", { fee: room.fee })
    : t("room.standardTitle", { fee: room.fee });
}

/** "⏱ 1:05" until ``until``; the only part of a screen that re-renders on the clock. */
export function TimeLeft({ until, minus }: { until: string | null; minus?: string | null }) {
  const now = useNow(CLOCK_MS);
  const left = msUntil(until, now) - (minus ? msUntil(minus, now) : 0);
  return <>⏱ {formatDuration(left)}</>;
}

export function FlyingEmojis({ flying }: { flying: Flying[] }) {
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
