import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BACKOFF_MS,
  backoffDelay,
  LiveSocket,
  RATE_LIMITED_DELAY_MS,
  rateLimitedDelay,
} from "./socket";

/** A seeded generator (mulberry32): the same "random" sequence on every run. */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(
    public url: string,
    public protocols: string[],
  ) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe("reconnect backoff", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  it("waits at most 200 ms, 1 s, 2 s, then 5 s between attempts", () => {
    expect(BACKOFF_MS).toEqual([200, 1000, 2000, 5000]);
    const top = () => 1;
    const bottom = () => 0;
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, top))).toEqual([
      200, 1000, 2000, 5000, 5000, 5000,
    ]);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, bottom))).toEqual([
      100, 500, 1000, 2500, 2500, 2500,
    ]);
    // A source out of range cannot push the delay past the cap or under the floor.
    expect(backoffDelay(9, () => 7)).toBe(5000);
    expect(backoffDelay(9, () => -1)).toBe(2500);
  });

  it("spreads a crowd's delays over half of each step (equal jitter), never beyond it", () => {
    const random = seeded(42);
    for (const [attempt, step] of BACKOFF_MS.entries()) {
      const delays = Array.from({ length: 1000 }, () => backoffDelay(attempt, random));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(step / 2);
      expect(Math.max(...delays)).toBeLessThanOrEqual(step);
      // Not in lockstep: many distinct values, covering most of [step/2, step].
      expect(new Set(delays).size).toBeGreaterThan(Math.min(80, step / 4));
      expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(0.9 * (step / 2));
      // Roughly uniform: the two halves of the range get similar shares.
      const middle = (3 * step) / 4;
      const low = delays.filter((d) => d < middle).length;
      expect(low).toBeGreaterThan(400);
      expect(low).toBeLessThan(600);
    }
  });

  it("keeps the rate-limited minimum, jittered above it", () => {
    const random = seeded(7);
    const delays = Array.from({ length: 500 }, (_, i) => rateLimitedDelay(i % 6, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(RATE_LIMITED_DELAY_MS);
    expect(Math.max(...delays)).toBeLessThanOrEqual(RATE_LIMITED_DELAY_MS + 5000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it("draws each reconnect's delay from the injected source", () => {
    const draws: number[] = [];
    const { socket } = start({
      random: () => {
        draws.push(0.5);
        return 0.5;
      },
    });
    FakeSocket.all[0]!.drop();
    expect(draws).toHaveLength(1);
    vi.advanceTimersByTime(149);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1); // 100 + 0.5 * 100
    expect(FakeSocket.all).toHaveLength(2);
    socket.stop();
  });

  const start = (extra: Partial<ConstructorParameters<typeof LiveSocket>[0]> = {}) => {
    const frames: unknown[] = [];
    const reconnected: number[] = [];
    const socket = new LiveSocket({
      url: () => "ws://test/ws/rooms/1/",
      protocols: () => ["chancetap.v1", "bearer.jwt"],
      onFrame: (frame) => frames.push(frame),
      onReconnected: (ms) => reconnected.push(ms),
      create: (url, protocols) => new FakeSocket(url, protocols) as unknown as WebSocket,
      random: () => 1, // the schedule's ceilings, unless a test brings its own source
      ...extra,
    }).start();
    return { socket, frames, reconnected };
  };

  it("reconnects on the schedule and reports how long it was down", () => {
    const { socket, reconnected } = start();
    FakeSocket.all[0]!.open();
    expect(socket.status).toBe("open");
    FakeSocket.all[0]!.drop();
    expect(socket.status).toBe("reconnecting");

    vi.advanceTimersByTime(199);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.drop();
    vi.advanceTimersByTime(999);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.drop();
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.all).toHaveLength(4);
    FakeSocket.all[3]!.drop();
    vi.advanceTimersByTime(4999);
    expect(FakeSocket.all).toHaveLength(4);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(5);
    FakeSocket.all[4]!.open();
    expect(reconnected).toEqual([200 + 1000 + 2000 + 5000]);
    expect(socket.status).toBe("open");

    // After a good connection the schedule starts again at 200 ms.
    FakeSocket.all[4]!.drop();
    vi.advanceTimersByTime(200);
    expect(FakeSocket.all).toHaveLength(6);
    expect(FakeSocket.all[5]!.protocols).toEqual(["chancetap.v1", "bearer.jwt"]);
  });

  it("does not reconnect after an auth or not-found close, nor after stop()", () => {
    const first = start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop(4404);
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(first.socket.status).toBe("closed");

    const second = start();
    FakeSocket.all[1]!.open();
    second.socket.stop();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("waits 10 s before trying again after a rate-limit close (4429)", () => {
    start({ random: () => 0 });
    FakeSocket.all[0]!.drop(4429);
    vi.advanceTimersByTime(10_099);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("gives up on 4400 (e.g. a token in the URL) without refreshing the token", async () => {
    let refreshed = 0;
    const { socket } = start({
      onUnauthorized: async () => {
        refreshed += 1;
        return true;
      },
    });
    FakeSocket.all[0]!.drop(4400);
    await Promise.resolve();
    vi.advanceTimersByTime(10_000);
    expect(refreshed).toBe(0);
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket.status).toBe("closed");
  });

  it("refreshes an expired token once on 4401 and connects again", async () => {
    let refreshed = 0;
    const { socket } = start({
      onUnauthorized: async () => {
        refreshed += 1;
        return true;
      },
    });
    FakeSocket.all[0]!.drop(4401);
    await Promise.resolve();
    await Promise.resolve();
    expect(refreshed).toBe(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.drop(4401); // still refused: give up instead of looping
    await Promise.resolve();
    expect(refreshed).toBe(1);
    expect(socket.status).toBe("closed");
  });

  it("delivers JSON frames and sends only while open", () => {
    const { socket, frames } = start();
    expect(socket.send({ type: "taps" })).toBe(false);
    FakeSocket.all[0]!.open();
    expect(socket.send({ type: "taps", count: 3 })).toBe(true);
    expect(FakeSocket.all[0]!.sent).toEqual(['{"type":"taps","count":3}']);
    FakeSocket.all[0]!.onmessage?.({ data: '{"type":"state"}' });
    FakeSocket.all[0]!.onmessage?.({ data: "not json" });
    expect(frames).toEqual([{ type: "state" }]);
  });

  it("nudge() reconnects at once instead of waiting", () => {
    const { socket } = start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop();
    FakeSocket.all[0]!.readyState = 3;
    socket.nudge();
    expect(FakeSocket.all).toHaveLength(2);
  });
});
