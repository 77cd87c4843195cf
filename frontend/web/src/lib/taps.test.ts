import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TapBatcher } from "./taps";

describe("TapBatcher", () => {
  let sent: [number, number][];
  let online: boolean;
  const make = () =>
    new TapBatcher(
      (count, timestamp) => {
        if (!online) return false;
        sent.push([count, timestamp]);
        return true;
      },
      { now: () => Date.now() },
    );

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    sent = [];
    online = true;
  });
  afterEach(() => vi.useRealTimers());

  it("counts every tap locally at once", () => {
    const batcher = make();
    expect(batcher.tap()).toBe(1);
    expect(batcher.tap()).toBe(2);
    expect(batcher.count).toBe(2);
    expect(sent).toEqual([]);
  });

  it("sends a packet of 20 immediately", () => {
    const batcher = make();
    for (let i = 0; i < 20; i += 1) batcher.tap();
    expect(sent.map(([count]) => count)).toEqual([20]);
    for (let i = 0; i < 45; i += 1) batcher.tap();
    expect(sent.map(([count]) => count)).toEqual([20, 20, 20]);
    expect(batcher.count).toBe(65);
  });

  it("sends what it has after 200 ms, never more than 20 per packet", () => {
    const batcher = make();
    for (let i = 0; i < 7; i += 1) batcher.tap();
    vi.advanceTimersByTime(199);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([[7, 1_700_000_000_200]]);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(1);
  });

  it("keeps one packet while offline and sends it when the socket is back", () => {
    online = false;
    const batcher = make();
    for (let i = 0; i < 35; i += 1) batcher.tap();
    vi.advanceTimersByTime(200);
    expect(sent).toEqual([]);
    online = true;
    vi.advanceTimersByTime(200);
    expect(sent.map(([count]) => count)).toEqual([20]);
  });

  it("shows the server's ack plus what is still on its way", () => {
    const batcher = make();
    for (let i = 0; i < 20; i += 1) batcher.tap(); // packet 1 in flight
    for (let i = 0; i < 3; i += 1) batcher.tap(); // pending
    batcher.ack(18); // the server counted 18 of them (e.g. some refused)
    expect(batcher.count).toBe(21);
    batcher.reset(30); // full state after a reconnect
    expect(batcher.count).toBe(33);
  });

  it("forgets a refused packet", () => {
    const batcher = make();
    for (let i = 0; i < 20; i += 1) batcher.tap();
    batcher.refused();
    expect(batcher.count).toBe(0);
  });
});
