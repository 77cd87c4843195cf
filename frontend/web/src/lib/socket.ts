/**
 * A WebSocket that reconnects in the background: 200 ms → 1 s → 2 s → 5 s (then every 5 s), each
 * step with "equal jitter" so that the clients a deploy dropped together do not all come back in
 * the same millisecond. The server sends its full state on every (re)connect, so the app never has
 * to replay history.
 */

/** The schedule's ceilings: attempt n waits at most ``BACKOFF_MS[n]`` (the last one is the cap). */
export const BACKOFF_MS = [200, 1000, 2000, 5000] as const;

/** A source of randomness in [0, 1] (``Math.random``; tests inject their own). */
export type Random = () => number;

/**
 * The delay before reconnect attempt ``attempt`` (0-based), with equal jitter: half the step is
 * fixed and the other half random, so the delay lies in [step / 2, step]. Equal rather than full
 * jitter (0…step): a client never retries at once after a drop, yet a crowd spreads over half the
 * step.
 */
export function backoffDelay(attempt: number, random: Random = Math.random): number {
  const index = Math.min(Math.max(attempt, 0), BACKOFF_MS.length - 1);
  const step = BACKOFF_MS[index] ?? 5000;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (r * step) / 2);
}

/**
 * Close codes after which reconnecting cannot help: bad request (e.g. a token in the URL), auth,
 * forbidden, no such room, no Redis.
 */
const TERMINAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4404, 4503]);

/** The server's "too many sockets / connects" (4429): the next try waits at least this long. */
export const RATE_LIMITED_DELAY_MS = 10_000;

/** After a 4429: at least ``RATE_LIMITED_DELAY_MS``, plus the attempt's jittered step so the
 * refused clients do not return together either. */
export function rateLimitedDelay(attempt: number, random: Random = Math.random): number {
  return RATE_LIMITED_DELAY_MS + backoffDelay(attempt, random);
}

export type SocketStatus = "connecting" | "open" | "reconnecting" | "closed";

/**
 * ``In`` is what the server sends and ``Out`` what the client may send: the socket's unions from
 * ``src/ws-frames.ts`` (generated from docs/ws-frames.json). Frames are not checked at run time.
 */
export interface LiveSocketOptions<In extends object = Record<string, unknown>> {
  url: () => string;
  protocols?: () => string[];
  onFrame: (frame: In) => void;
  onStatus?: (status: SocketStatus, closeCode?: number) => void;
  /** The server refused the token (4401): refresh it; resolves true to try again. */
  onUnauthorized?: () => Promise<boolean>;
  /** Called after a reconnect with how long the connection was down. */
  onReconnected?: (durationMs: number) => void;
  create?: (url: string, protocols: string[]) => WebSocket;
  now?: () => number;
  /** The backoff's jitter source (default ``Math.random``). */
  random?: Random;
}

export class LiveSocket<
  In extends object = Record<string, unknown>,
  Out extends object = Record<string, unknown>,
> {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private droppedAt: number | null = null;
  private stopped = false;
  private reauthTried = false;
  status: SocketStatus = "connecting";

  constructor(private readonly options: LiveSocketOptions<In>) {}

  start(): this {
    this.stopped = false;
    this.connect();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000);
    }
    this.setStatus("closed");
  }

  get isOpen(): boolean {
    return this.socket?.readyState === 1;
  }

  send(frame: Out): boolean {
    if (!this.socket || this.socket.readyState !== 1) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Reconnect now (e.g. the app came back to the foreground) instead of waiting. */
  nudge(): void {
    if (this.stopped || this.isOpen || this.socket?.readyState === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  private setStatus(status: SocketStatus, code?: number): void {
    this.status = status;
    this.options.onStatus?.(status, code);
  }

  private connect(): void {
    const create = this.options.create ?? ((url, protocols) => new WebSocket(url, protocols));
    const socket = create(this.options.url(), this.options.protocols?.() ?? []);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.reauthTried = false;
      if (this.droppedAt !== null) {
        this.options.onReconnected?.(this.now() - this.droppedAt);
        this.droppedAt = null;
      }
      this.setStatus("open");
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return;
      try {
        const frame = JSON.parse(String(event.data)) as In | null;
        if (frame && typeof frame === "object") this.options.onFrame(frame);
      } catch {
        // ignore non-JSON frames
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      if (event.code === 4401 && this.options.onUnauthorized && !this.reauthTried) {
        // The JWT expired: get a fresh one, then connect again (once).
        this.reauthTried = true;
        this.setStatus("reconnecting", event.code);
        void this.options.onUnauthorized().then((ok) => {
          if (ok && !this.stopped) this.connect();
          else this.setStatus("closed", event.code);
        });
        return;
      }
      if (TERMINAL_CLOSE_CODES.has(event.code) || event.code === 1000) {
        this.setStatus("closed", event.code);
        return;
      }
      this.droppedAt ??= this.now();
      this.setStatus("reconnecting", event.code);
      const random = this.options.random ?? Math.random;
      const delay =
        event.code === 4429
          ? rateLimitedDelay(this.attempt, random)
          : backoffDelay(this.attempt, random);
      this.attempt += 1;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.stopped) this.connect();
      }, delay);
    };
  }
}

export function wsUrl(
  path: string,
  location: Pick<Location, "protocol" | "host"> = window.location,
) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}
