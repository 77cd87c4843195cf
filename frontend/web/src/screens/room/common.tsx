import type { TFunction } from "i18next";
import type { Room } from "../../api";
import type { Flying, useRoomSocket } from "../../hooks/useRoomSocket";
import { TimeLeft as GenericTimeLeft } from "../../components/TimeLeft";

export type RoomSocket = ReturnType<typeof useRoomSocket>;

/** How often the room's clocks redraw (only the clocks: see ``TimeLeft``). */
export const CLOCK_MS = 100;

export function roomTitle(room: Room, t: TFunction): string {
  return room.kind === "hero"
    ? t("room.heroTitle", { fee: room.fee })
    : t("room.standardTitle", { fee: room.fee });
}

/** "⏱ 1:05" on the room's clock. */
export function TimeLeft(props: { until: string | null; minus?: string | null }) {
  return <GenericTimeLeft {...props} everyMs={CLOCK_MS} />;
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
