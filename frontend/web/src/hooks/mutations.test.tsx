import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Room } from "../api";
import { keys } from "../queryKeys";
import { fakeFetch, json, offline, renderHook, testQueryClient } from "../testing";
import { IntentKeys } from "./intentKeys";
import { useBonusMutations } from "./useBonusMutations";
import { useInvoiceMutation } from "./usePaymentMutations";
import {
  useHeroCreateMutation,
  useJoinTierMutation,
  useLeaveRoomMutation,
} from "./useRoomMutations";

const room = (id: number) => ({ id, kind: "standard", phase: "gathering" }) as Room;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("IntentKeys", () => {
  it("keeps one key per intent until it succeeds", () => {
    let n = 0;
    const intents = new IntentKeys(() => `key-${(n += 1)}`);
    expect(intents.keyFor(["join", 1])).toBe("key-1");
    expect(intents.keyFor(["join", 1])).toBe("key-1"); // tried again after a failure
    expect(intents.keyFor(["join", 2])).toBe("key-2"); // another intent
    expect(intents.keyFor(["join", 1])).toBe("key-3");
    intents.done(["join", 1]);
    expect(intents.keyFor(["join", 1])).toBe("key-4"); // the same request again is a new intent
  });
});

describe("joining a tier", () => {
  it("sends the same Idempotency-Key when the player tries again after a dropped request", async () => {
    const server = fakeFetch([offline, json(201, room(7)), json(201, room(8))]);
    vi.stubGlobal("fetch", server.fetch);
    const client = testQueryClient();
    client.setQueryData(keys.me(), { balance: 100 });
    client.setQueryData(keys.tiers(), []);
    const { result } = renderHook(() => useJoinTierMutation(), client);

    await act(() => result.current.mutateAsync(3).catch(() => undefined));
    expect(result.current.error).toMatchObject({ code: "network_error" });
    expect(client.getQueryState(keys.me())?.isInvalidated).toBe(false);

    await act(() => result.current.mutateAsync(3));
    expect(result.current.data?.id).toBe(7);
    const [first, retry] = server.calls;
    expect(first?.path).toBe("/api/v1/rooms/tiers/3/join");
    expect(first?.method).toBe("POST");
    expect(first?.headers.get("Idempotency-Key")).toBeTruthy();
    expect(retry?.headers.get("Idempotency-Key")).toBe(first?.headers.get("Idempotency-Key"));
    // The fee was debited: the profile is read again; the tier list is left alone.
    expect(client.getQueryState(keys.me())?.isInvalidated).toBe(true);
    expect(client.getQueryState(keys.tiers())?.isInvalidated).toBe(false);

    // After a success the same button press is a new intent.
    await act(() => result.current.mutateAsync(3));
    expect(server.calls[2]?.headers.get("Idempotency-Key")).not.toBe(
      first?.headers.get("Idempotency-Key"),
    );
  });

  it("a retry by TanStack Query reuses the key too", async () => {
    const server = fakeFetch([offline, json(201, room(7))]);
    vi.stubGlobal("fetch", server.fetch);
    const { result } = renderHook(
      () => useJoinTierMutation(),
      testQueryClient({ mutationRetry: 1 }),
    );
    await act(() => result.current.mutateAsync(3));
    expect(server.calls).toHaveLength(2);
    const [first, retry] = server.calls;
    expect(retry?.headers.get("Idempotency-Key")).toBe(first?.headers.get("Idempotency-Key"));
  });
});

describe("a hero room", () => {
  it("is the player's current one when they already run a room", async () => {
    const server = fakeFetch([
      json(409, { code: "hero_room_exists", message: "You already run a hero room." }),
      json(200, { room: room(42) }),
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const client = testQueryClient();
    const { result } = renderHook(() => useHeroCreateMutation(), client);
    await act(() => result.current.mutateAsync(30));
    expect(result.current.data?.id).toBe(42);
    expect(server.calls.map((c) => c.path)).toEqual([
      "/api/v1/rooms/hero",
      "/api/v1/rooms/current",
    ]);
    expect(server.calls[0]?.body).toEqual({ fee: 30 });
    expect(client.getQueryData(keys.currentRoom())).toEqual({ room: room(42) });
  });
});

describe("a Stars invoice", () => {
  it("is one payment per intent: retried with its key, another amount gets another", async () => {
    const payment = { id: "p1", purpose: "topup", stars: 100, invoice_link: "https://t.me/$x" };
    const server = fakeFetch([
      json(502, { code: "telegram_unavailable", message: "Telegram did not answer." }),
      json(201, payment),
      json(201, { ...payment, id: "p2", stars: 50 }),
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const { result } = renderHook(() => useInvoiceMutation());
    await act(() =>
      result.current.mutateAsync({ purpose: "topup", stars: 100 }).catch(() => undefined),
    );
    await act(() => result.current.mutateAsync({ purpose: "topup", stars: 100 }));
    await act(() => result.current.mutateAsync({ purpose: "topup", stars: 50 }));
    const sent = server.calls.map((c) => c.headers.get("Idempotency-Key"));
    expect(sent[1]).toBe(sent[0]);
    expect(sent[2]).not.toBe(sent[0]);
    expect(server.calls[2]?.body).toEqual({ purpose: "topup", stars: 50 });
  });
});

describe("leaving and the bonus run", () => {
  it("leaving refreshes everything (the refund, the tier's occupancy), and sends no key", async () => {
    const server = fakeFetch([json(200, room(7))]);
    vi.stubGlobal("fetch", server.fetch);
    const client = testQueryClient();
    client.setQueryData(keys.me(), { balance: 80 });
    client.setQueryData(keys.tiers(), []);
    const { result } = renderHook(() => useLeaveRoomMutation(), client);
    await act(() => result.current.mutateAsync(7));
    expect(server.calls[0]?.path).toBe("/api/v1/rooms/7/leave");
    expect(server.calls[0]?.headers.has("Idempotency-Key")).toBe(false);
    expect(client.getQueryState(keys.me())?.isInvalidated).toBe(true);
    expect(client.getQueryState(keys.tiers())?.isInvalidated).toBe(true);
  });

  it("a refused bonus cancel still reads the run and the profile again", async () => {
    const server = fakeFetch([json(409, { code: "bonus_not_active", message: "No run." })]);
    vi.stubGlobal("fetch", server.fetch);
    const client = testQueryClient();
    client.setQueryData(keys.bonus(), { run: null });
    client.setQueryData(keys.me(), { balance: 80 });
    client.setQueryData(keys.tiers(), []);
    const { result } = renderHook(() => useBonusMutations(), client);
    await act(() => result.current.cancel.mutateAsync().catch(() => undefined));
    expect(result.current.cancel.error).toMatchObject({ code: "bonus_not_active" });
    expect(client.getQueryState(keys.bonus())?.isInvalidated).toBe(true);
    expect(client.getQueryState(keys.me())?.isInvalidated).toBe(true);
    expect(client.getQueryState(keys.tiers())?.isInvalidated).toBe(false);
  });
});
