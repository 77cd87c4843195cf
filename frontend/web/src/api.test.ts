import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, request, setReauthenticate, setToken } from "./api";
import { onBlocked } from "./lib/blocked";

describe("request", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setReauthenticate(null);
    setToken(null);
  });

  it("logs in again once when the token expired, then retries", async () => {
    setToken("old");
    const seen: (string | null)[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_path: string, init: RequestInit) => {
        const auth = new Headers(init.headers).get("Authorization");
        seen.push(auth);
        if (auth === "Bearer old") {
          return new Response('{"code":"token_expired","message":"expired"}', { status: 401 });
        }
        return new Response('{"ok":true}', { status: 200 });
      }),
    );
    let logins = 0;
    setReauthenticate(async () => {
      logins += 1;
      setToken("fresh");
    });
    await expect(request("/api/v1/me")).resolves.toEqual({ ok: true });
    expect(seen).toEqual(["Bearer old", "Bearer fresh"]);
    expect(logins).toBe(1);
  });

  it("tells the app when any answer says the account is blocked", async () => {
    const blocked = vi.fn();
    const off = onBlocked(blocked);
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response('{"code":"user_blocked","message":"Your account is blocked."}', {
            status: 403,
          }),
      ),
    );
    const error = (await request("/api/v1/rooms/tiers").catch((e: unknown) => e)) as ApiError;
    off();
    expect(error.code).toBe("user_blocked");
    expect(blocked).toHaveBeenCalledTimes(1);
  });

  it("turns error bodies into ApiError with code and details", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response(
            '{"code":"insufficient_balance","message":"Not enough","details":{"shortfall":5}}',
            { status: 402 },
          ),
      ),
    );
    const error = (await request("/x").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("insufficient_balance");
    expect(error.details).toEqual({ shortfall: 5 });
  });
});
