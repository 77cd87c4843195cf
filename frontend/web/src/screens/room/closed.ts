/** Why a room ended without a game, as the notice the player sees back in the lobby. The
 * reasons are the ``closed`` frame's (``ws-frames.ts``) plus the client's own: ``not_found`` (the
 * socket's 4404) and ``cancelled`` (a reconnect found the room cancelled). */
export function closedNoticeKey(reason: string, organizer: boolean): string {
  switch (reason) {
    case "hero_timeout":
      return organizer ? "room.closed.hero_timeout_organizer" : "room.closed.hero_timeout";
    case "not_enough_players":
      return "room.closed.not_enough_players";
    case "cancelled_by_support":
      return "room.closed.cancelled_by_support";
    case "left":
      return "room.closed.left";
    case "not_found":
      return "room.closed.not_found";
    default:
      return "room.closed.cancelled";
  }
}

/** Every key ``closedNoticeKey`` can give (the i18n test checks them). */
export const CLOSED_NOTICE_KEYS = [
  "room.closed.hero_timeout",
  "room.closed.hero_timeout_organizer",
  "room.closed.not_enough_players",
  "room.closed.cancelled_by_support",
  "room.closed.left",
  "room.closed.not_found",
  "room.closed.cancelled",
];
