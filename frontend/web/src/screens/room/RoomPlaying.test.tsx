import { act, createElement } from "react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Me, Player, Room } from "../../api";
import { initI18n } from "../../i18n";
import { useReached } from "../../lib/useNow";
import { render, type Rendered } from "../../testing";
import { RoomCountdown } from "./RoomCountdown";
import { RoomPlaying, type GameSocket } from "./RoomPlaying";

// Count how often the TAP button and the player bars' avatars are drawn by their parent.
const renders = vi.hoisted(() => ({ tap: 0, avatar: 0 }));
vi.mock("./TapButton", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./TapButton")>();
  return {
    TapButton: (props: Parameters<typeof actual.TapButton>[0]) => {
      renders.tap += 1;
      return createElement(actual.TapButton, props);
    },
  };
});
vi.mock("../../components/Avatar", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../components/Avatar")>();
  return {
    ...actual,
    Avatar: (props: Parameters<typeof actual.Avatar>[0]) => {
      renders.avatar += 1;
      return createElement(actual.Avatar, props);
    },
  };
});

const START = Date.parse("2026-01-01T12:00:00Z");
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString();
const player = (tg_id: number, seat: number): Player => ({
  tg_id,
  seat,
  first_name: `P${tg_id}`,
  username: "",
  photo_url: "",
  taps: 0,
  cheater: false,
});
const me = { tg_id: 1, balance: 80 } as Me;
const room = (extra: Partial<Room>): Room =>
  ({
    id: 5,
    kind: "standard",
    phase: "playing",
    fee: 20,
    players: [player(1, 0), player(2, 1), player(3, 2)],
    started_at: at(0),
    ends_at: at(30),
    ...extra,
  }) as Room;
const socket = (myTaps = 0): GameSocket => ({ counts: { "2": 4 }, myTaps, tap: vi.fn() });

const text = (view: Rendered, testId: string) =>
  view.container.querySelector(`[data-testid="${testId}"]`)?.textContent;
const tick = (ms: number) => act(() => vi.advanceTimersByTime(ms));

beforeAll(() => {
  initI18n("en");
});
beforeEach(() => {
  vi.useFakeTimers({ now: START });
  renders.tap = 0;
  renders.avatar = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the game screen", () => {
  it("redraws the clock ten times a second, not the TAP button or the players", () => {
    const view = render(
      <RoomPlaying room={room({})} me={me} socket={socket()} organizer={false} />,
    );
    expect(text(view, "game-timer")).toBe("⏱ 0:30");
    const drawn = { ...renders };
    expect(drawn.tap).toBe(1);
    expect(drawn.avatar).toBe(3);

    tick(2_500); // 25 clock ticks
    expect(text(view, "game-timer")).toBe("⏱ 0:28");
    expect(renders).toEqual(drawn);

    // The player's own taps do redraw it.
    view.rerender(<RoomPlaying room={room({})} me={me} socket={socket(7)} organizer={false} />);
    expect(text(view, "my-taps")).toBe("7");
    expect(renders.tap).toBe(drawn.tap + 1);
    view.unmount();
  });

  it("counts down over a locked TAP button, again without redrawing it", () => {
    const view = render(
      <RoomCountdown
        room={room({ phase: "countdown", started_at: at(3), ends_at: at(33) })}
        me={me}
        socket={socket()}
        organizer={false}
      />,
    );
    const button = view.container.querySelector<HTMLButtonElement>('[data-testid="tap-button"]');
    expect(button?.disabled).toBe(true);
    expect(text(view, "countdown")).toBe("3");
    expect(text(view, "game-timer")).toBe("⏱ 0:30"); // the whole game, until it starts
    const drawn = { ...renders };
    tick(1_500);
    expect(text(view, "countdown")).toBe("2");
    expect(text(view, "game-timer")).toBe("⏱ 0:30");
    expect(renders).toEqual(drawn);
    view.unmount();
  });
});

describe("useReached", () => {
  it("turns true when the server clock reaches the time, with one redraw", () => {
    let draws = 0;
    function Probe({ iso }: { iso: string | null }) {
      draws += 1;
      return <>{useReached(iso) ? "started" : "waiting"}</>;
    }
    const view = render(<Probe iso={at(3)} />);
    expect(view.container.textContent).toBe("waiting");
    tick(2_900);
    expect(view.container.textContent).toBe("waiting");
    expect(draws).toBe(1);
    tick(200);
    expect(view.container.textContent).toBe("started");
    expect(draws).toBe(2);
    view.rerender(<Probe iso={null} />);
    expect(view.container.textContent).toBe("started");
    view.rerender(<Probe iso="not a time" />);
    expect(view.container.textContent).toBe("started");
    view.unmount();
  });
});
