import { beforeEach, describe, expect, it } from "vitest";
import { claimLaunch, heroKeyFromStartParam, resetLaunchClaims } from "./launchIntent";

describe("the hero deep link", () => {
  it("reads hero_<KEY> and ignores anything malformed", () => {
    expect(heroKeyFromStartParam("hero_AB12CD")).toBe("AB12CD");
    expect(heroKeyFromStartParam("hero_ab12cd")).toBe("AB12CD");
    for (const bad of [
      "",
      null,
      undefined,
      "hero_",
      "hero_AB",
      "hero_ABCDEFGHIJKLM",
      "hero_AB-12",
      "hero_AB12CD_x",
      "ref_123",
      "HERO_AB12CD",
      " hero_AB12CD",
      "hero_AB12CD%20",
    ]) {
      expect(heroKeyFromStartParam(bad)).toBeNull();
    }
  });
});

describe("a launch is handled once", () => {
  beforeEach(() => {
    resetLaunchClaims();
    sessionStorage.clear();
  });

  it("once per launch, also across a reload, and again for a new launch", () => {
    const launch = "user=%7B%7D&start_param=hero_AB12CD&hash=aaa";
    expect(claimLaunch(launch)).toBe(true);
    expect(claimLaunch(launch)).toBe(false);
    resetLaunchClaims(); // a reload: memory is gone, sessionStorage stays
    expect(claimLaunch(launch)).toBe(false);
    expect(claimLaunch("user=%7B%7D&start_param=hero_AB12CD&hash=bbb")).toBe(true);
  });

  it("works without storage", () => {
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
    } as unknown as Storage;
    expect(claimLaunch("hash=ccc", broken)).toBe(true);
    expect(claimLaunch("hash=ccc", broken)).toBe(false);
  });
});
