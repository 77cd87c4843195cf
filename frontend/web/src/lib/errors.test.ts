import i18next from "i18next";
import { beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { resources } from "../i18n";
import { errorText } from "./errors";

describe("errorText", () => {
  beforeAll(async () => {
    await i18next.init({ resources, lng: "ru", fallbackLng: "en" });
  });

  it("translates known codes with their details", () => {
    const error = new ApiError(402, "insufficient_balance", "Not enough Stars.", {
      shortfall: 15,
    });
    expect(errorText(error, i18next.t)).toBe("Не хватает звёзд: нужно ещё ⭐ 15.");
    expect(errorText(error, i18next.getFixedT("en"))).toBe("Not enough Stars: ⭐ 15 more needed.");
  });

  it("keeps the server's message for codes it does not know", () => {
    const error = new ApiError(400, "something_new", "Server says no.");
    expect(errorText(error, i18next.t)).toBe("Server says no.");
    expect(errorText(new Error("boom"), i18next.t)).toBe("boom");
  });
});
