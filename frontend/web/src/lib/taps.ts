/**
 * Tap batching (SPEC §5): the local counter moves on every tap; taps go to the server in packets
 * of at most 20, at the latest every 200 ms. While the socket is down at most one packet waits
 * (more would arrive in a burst the anti-cheat rightly refuses); the server's ack is the truth.
 */

export interface TapBatcherOptions {
  maxPacket?: number;
  intervalMs?: number;
  now?: () => number;
}

export class TapBatcher {
  private pending = 0;
  private inFlight: number[] = [];
  private acked = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly maxPacket: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly send: (count: number, timestamp: number) => boolean,
    options: TapBatcherOptions = {},
  ) {
    this.maxPacket = options.maxPacket ?? 20;
    this.intervalMs = options.intervalMs ?? 200;
    this.now = options.now ?? Date.now;
  }

  /** What the player sees: confirmed taps plus those on their way. */
  get count(): number {
    return this.acked + this.inFlight.reduce((a, b) => a + b, 0) + this.pending;
  }

  tap(): number {
    if (this.pending < this.maxPacket) this.pending += 1;
    if (this.pending >= this.maxPacket) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.intervalMs);
    return this.count;
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending <= 0) return;
    const count = Math.min(this.pending, this.maxPacket);
    if (this.send(count, this.now())) {
      this.pending -= count;
      this.inFlight.push(count);
    } else {
      this.pending = Math.min(this.pending, this.maxPacket);
    }
    if (this.pending > 0) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  /** The server confirmed a packet: ``total`` is its count of our taps. */
  ack(total: number): void {
    this.inFlight.shift();
    this.acked = Math.max(total, 0);
  }

  /** The server refused a packet (it does not count). */
  refused(): void {
    this.inFlight.shift();
  }

  /** After a reconnect the server's state is the truth; unconfirmed packets are forgotten. */
  reset(serverTotal: number): void {
    this.inFlight = [];
    this.acked = Math.max(serverTotal, 0);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
