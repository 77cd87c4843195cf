import { act } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Me, Player, Room } from "../api";
import { NoticeToast, NOTICE_MS } from "../components/NoticeToast";
import type { useRoomSocket } from "../hooks/useRoomSocket";
import i18n, { initI18n } from "../i18n";
import { onBlocked } from "../lib/blocked";
import { dismissNotice } from "../lib/notice";
import { keys } from "../queryKeys";
import { json, render, settle, testQueryClient, type Rendered } from "../testing";
import { RoomScreen } from "./Room";
import { RoomGathering, RoomOrganizer } from "./room/RoomGathering";
import { RoomCountdown } from "./room/RoomCountdown";

// Telegram links open through the SDK (src/telegram.ts); here the URL it is asked to open.
const opened = vi.hoisted(() => [] as string[]);
vi.mock("../telegram", async (original) => ({
  ...(await original<typeof import("../telegram")>()),
  openTelegramLink: (url: string) => opened.push(url),
}));

type Socket = ReturnType<typeof useRoomSocket>;
const socketState = vi.hoisted(() => ({ current: null as unknown }));
vi.mock("../hooks/useRoomSocket", () => ({ useRoomSocket: () => socketState.current }));

const player = (tg_id: number, seat: number, first_name = `P${tg_id}`): Player => ({
  tg_id,
  seat,
  first_name,
  username: "",
  photo_url: "",
  taps: 0,
  cheater: false,
});
const me = {
  tg_id: 1,
  balance: 80,
  referral: { link: "https://t.me/bot/app?startapp=ref_1" },
} as Me;
const heroRoom = (extra: Partial<Room> = {}): Room =>
  ({
    id: 9,
    kind: "hero",
    phase: "gathering",
    fee: 30,
    tier_id: null,
    key: "AB12CD",
    join_link: "https://t.me/bot/app?startapp=hero_AB12CD",
    organizer_id: 5,
    seated: 2,
    max_players: 10,
    pool: 60,
    deadline_at: new Date(Date.now() + 200_000).toISOString(),
    countdown_at: null,
    started_at: null,
    ends_at: null,
    winner_id: null,
    prize: 0,
    players: [player(1, 0), player(2, 1, "Maximilian-Alexander von Longname")],
    ...extra,
  }) as Room;
const socket = (extra: Partial<Socket>): Socket => ({
  room: heroRoom(),
  counts: {},
  finished: null,
  closed: null,
  status: "open",
  myTaps: 0,
  flying: [],
  tap: vi.fn(),
  send: vi.fn(() => true),
  ...extra,
});

function Where() {
  return <div data-testid="where">{useLocation().pathname}</div>;
}

function openRoom(profile: Partial<Me> = me) {
  const client = testQueryClient();
  client.setQueryData(keys.me(), profile);
  const view = render(
    <MemoryRouter initialEntries={["/room/9"]}>
      <Routes>
        <Route path="/room/:roomId" element={<RoomScreen />} />
        <Route path="/" element={<main data-testid="home" />} />
      </Routes>
      <Where />
      <NoticeToast />
    </MemoryRouter>,
    client,
  );
  return view;
}

const byId = (view: Rendered, id: string) =>
  view.container.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeAll(() => {
  initI18n("en");
});
beforeEach(() => {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => json(200, {})()),
  );
});
afterEach(async () => {
  act(() => dismissNotice());
  vi.useRealTimers();
  vi.unstubAllGlobals();
  delete window.TelegramWebviewProxy;
  await act(() => i18n.changeLanguage("en"));
});

describe("a room that closes without a game", () => {
  it.each([
    ["hero_timeout", me, "The organizer did not start in time. Your fee was refunded."],
    [
      "hero_timeout",
      { ...me, tg_id: 5 },
      "You did not start the room in time. The players' fees were refunded.",
    ],
    ["not_enough_players", me, "Not enough players joined. Your fee was refunded."],
    ["cancelled_by_support", me, "Support cancelled the room. Fees were refunded."],
  ])("sends the player back to the lobby with a notice (%s)", (reason, profile, message) => {
    vi.useFakeTimers();
    socketState.current = socket({});
    const view = openRoom(profile);
    expect(byId(view, "where")?.textContent).toBe("/room/9");
    socketState.current = socket({ closed: reason });
    view.rerender(
      <MemoryRouter initialEntries={["/room/9"]}>
        <Routes>
          <Route path="/room/:roomId" element={<RoomScreen />} />
          <Route path="/" element={<main data-testid="home" />} />
        </Routes>
        <Where />
        <NoticeToast />
      </MemoryRouter>,
    );
    expect(byId(view, "where")?.textContent).toBe("/");
    expect(byId(view, "home")).not.toBeNull();
    const notice = byId(view, "notice");
    expect(notice?.getAttribute("role")).toBe("status");
    expect(notice?.textContent).toContain(message);
    // It goes by itself after a few seconds.
    act(() => vi.advanceTimersByTime(NOTICE_MS));
    expect(byId(view, "notice")).toBeNull();
    view.unmount();
  });

  it("speaks Russian to a Russian player", async () => {
    await act(() => i18n.changeLanguage("ru"));
    socketState.current = socket({ closed: "hero_timeout" });
    const view = openRoom();
    expect(byId(view, "notice")?.textContent).toContain("Организатор не начал игру вовремя");
    view.unmount();
  });

  it("a blocked player leaves the room for the blocked screen", () => {
    const blocked = vi.fn();
    const off = onBlocked(blocked);
    socketState.current = socket({ closed: "user_blocked" });
    const view = openRoom();
    expect(blocked).toHaveBeenCalledOnce();
    expect(byId(view, "waiting")).toBeNull();
    off();
    view.unmount();
  });
});

function gathering(room: Room, profile: Partial<Me> = me, client = testQueryClient()) {
  return render(
    <MemoryRouter initialEntries={["/room/9"]}>
      <Routes>
        <Route
          path="/room/:roomId"
          element={<RoomGathering room={room} me={profile as Me} socket={socket({})} />}
        />
        <Route path="/" element={<main data-testid="home" />} />
      </Routes>
      <NoticeToast />
    </MemoryRouter>,
    client,
  );
}

describe("the waiting screen", () => {
  it("names every seated player under the avatar", () => {
    const view = gathering(heroRoom());
    const name = byId(view, "seat-name-2");
    expect(name?.textContent).toBe("Maximilian-Alexander von Longname");
    expect(name?.className).toBe("circle__name"); // ellipsis in CSS
    expect(byId(view, "seat-name-1")?.textContent).toBe("P1");
    view.unmount();
  });

  it("tells a hero room's player that the organizer starts the game", () => {
    const hero = gathering(heroRoom());
    expect(byId(hero, "hero-wait-hint")?.textContent).toContain("The organizer starts the game");
    hero.unmount();
    const standard = gathering(heroRoom({ kind: "standard", key: null, organizer_id: null }));
    expect(byId(standard, "hero-wait-hint")).toBeNull();
    standard.unmount();
  });

  it("says why leaving failed instead of staying silent", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        json(409, { code: "room_already_started", message: "The game has already started." })(),
      ),
    );
    const view = gathering(heroRoom());
    act(() => byId(view, "leave-room")!.click());
    await settle();
    const error = byId(view, "leave-error");
    expect(error?.getAttribute("role")).toBe("alert");
    expect(error?.textContent).toBe("Could not leave the room: The game has already started.");
    view.unmount();
  });

  it("leaving goes to the lobby with the refund noted", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(200, heroRoom())()),
    );
    const view = gathering(heroRoom());
    act(() => byId(view, "leave-room")!.click());
    await settle();
    expect(byId(view, "home")).not.toBeNull();
    expect(byId(view, "notice")?.textContent).toContain("You left the room");
    view.unmount();
  });
});

describe("the organizer's share button", () => {
  it("shares the room's join link, the key in the text", () => {
    opened.length = 0;
    const view = render(
      <RoomOrganizer room={heroRoom()} me={{ ...me, tg_id: 5 } as Me} socket={socket({})} />,
    );
    act(() => byId(view, "hero-share")!.click());
    expect(opened).toHaveLength(1);
    const url = new URL(opened[0]!);
    expect(url.searchParams.get("url")).toBe("https://t.me/bot/app?startapp=hero_AB12CD");
    expect(url.searchParams.get("text")).toContain("AB12CD");
    view.unmount();
  });
});

describe("the countdown", () => {
  it("covers the TAP button's place instead of floating over its label", () => {
    const now = Date.now();
    const view = render(
      <RoomCountdown
        room={heroRoom({
          phase: "countdown",
          started_at: new Date(now + 3000).toISOString(),
          ends_at: new Date(now + 63_000).toISOString(),
        })}
        me={me as Me}
        socket={socket({})}
        organizer={false}
      />,
    );
    const zone = view.container.querySelector(".tap-zone");
    expect(zone?.querySelector('[data-testid="countdown"]')).not.toBeNull();
    expect(zone?.querySelector('[data-testid="tap-button"]')).not.toBeNull();
    view.unmount();
  });
});
