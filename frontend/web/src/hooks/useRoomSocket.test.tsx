import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderHook } from "../testing";
import { useRoomSocket } from "./useRoomSocket";

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor() {
    FakeSocket.all.push(this);
  }
  send() {}
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  frame(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal("WebSocket", FakeSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the room socket", () => {
  it("reports a player blocked while seated (close code 4403) as user_blocked", () => {
    const { result, unmount } = renderHook(() => useRoomSocket(9, 1));
    act(() => FakeSocket.all[0]!.open());
    expect(result.current.closed).toBeNull();
    act(() => FakeSocket.all[0]!.drop(4403));
    expect(result.current.closed).toBe("user_blocked");
    expect(FakeSocket.all).toHaveLength(1); // terminal: no reconnect
    unmount();
  });

  it("keeps the closed frame's reason", () => {
    const { result, unmount } = renderHook(() => useRoomSocket(9, 1));
    act(() => FakeSocket.all[0]!.open());
    act(() => FakeSocket.all[0]!.frame({ type: "closed", reason: "hero_timeout" }));
    expect(result.current.closed).toBe("hero_timeout");
    unmount();
  });
});
