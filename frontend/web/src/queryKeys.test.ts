import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { keys } from "./queryKeys";

describe("query keys", () => {
  it("are stable arrays, one per resource", () => {
    expect(keys.me()).toEqual(["me"]);
    expect(keys.tiers()).toEqual(["tiers"]);
    expect(keys.currentRoom()).toEqual(["current-room"]);
    expect(keys.bonus()).toEqual(["bonus"]);
    expect(keys.presets()).toEqual(["presets"]);
    expect(keys.referrals()).toEqual(["referrals"]);
    expect(keys.boards("games", "week")).toEqual(["boards", "games", "week"]);
    expect(keys.boards("donations", "week")).not.toEqual(keys.boards("games", "week"));
    expect(keys.boards("donations", "week", "2026-W03")).toEqual([
      "boards",
      "donations",
      "week",
      "2026-W03",
    ]);
    expect(keys.presetPreview(250)).toEqual(["presets", "preview", 250]);
  });

  it("a board kind without a period invalidates every board of that kind, and only those", async () => {
    const client = new QueryClient();
    for (const key of [
      keys.boards("donations", "all-time"),
      keys.boards("donations", "week"),
      keys.boards("donations", "week", "2026-W02"),
      keys.boards("games", "week"),
      keys.presetPreview(100),
      keys.me(),
    ]) {
      client.setQueryData(key, 1);
    }
    await client.invalidateQueries({ queryKey: keys.boards("donations") });
    const stale = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;
    expect(stale(keys.boards("donations", "all-time"))).toBe(true);
    expect(stale(keys.boards("donations", "week"))).toBe(true);
    expect(stale(keys.boards("donations", "week", "2026-W02"))).toBe(true);
    expect(stale(keys.boards("games", "week"))).toBe(false);
    expect(stale(keys.me())).toBe(false);
    await client.invalidateQueries({ queryKey: keys.presets() });
    expect(stale(keys.presetPreview(100))).toBe(true);
  });
});
