import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me } from "../api";
import { keys } from "../queryKeys";
import { fakeFetch, json, renderHook, testQueryClient } from "../testing";
import { useSettingsMutation } from "./useSettingsMutation";

const profile = (notify: boolean) =>
  ({ tg_id: 1, balance: 10, notify_game_results: notify, bot_blocked: false }) as Me;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the notifications switch", () => {
  it("PATCHes /me, moves at once and keeps the profile the server answers", async () => {
    let answer: (() => void) | null = null;
    const server = fakeFetch([json(200, { ...profile(false), balance: 12 })]);
    vi.stubGlobal(
      "fetch",
      (path: string, init: RequestInit) =>
        new Promise<Response>((resolve) => {
          answer = () => resolve(server.fetch(path, init));
        }),
    );
    const client = testQueryClient();
    client.setQueryData(keys.me(), profile(true));
    const { result } = renderHook(() => useSettingsMutation(), client);

    let done: Promise<unknown> = Promise.resolve();
    act(() => {
      done = result.current.mutateAsync({ notify_game_results: false });
    });
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    // Before the server answers, the switch is already off.
    expect(client.getQueryData<Me>(keys.me())?.notify_game_results).toBe(false);
    await act(async () => {
      answer!();
      await done;
    });
    expect(server.calls[0]?.method).toBe("PATCH");
    expect(server.calls[0]?.path).toBe("/api/v1/me");
    expect(server.calls[0]?.body).toEqual({ notify_game_results: false });
    expect(client.getQueryData<Me>(keys.me())).toMatchObject({
      notify_game_results: false,
      balance: 12,
    });
  });

  it("goes back when the server refuses", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch([json(400, { code: "validation_error", message: "No." })]).fetch,
    );
    const client = testQueryClient();
    client.setQueryData(keys.me(), profile(true));
    const { result } = renderHook(() => useSettingsMutation(), client);
    await act(() =>
      result.current.mutateAsync({ notify_game_results: false }).catch(() => undefined),
    );
    expect(result.current.error).toMatchObject({ code: "validation_error" });
    expect(client.getQueryData<Me>(keys.me())?.notify_game_results).toBe(true);
  });
});
