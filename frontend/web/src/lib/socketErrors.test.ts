import i18next from "i18next";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resources } from "../i18n";
import { onBlocked } from "./blocked";
import { currentNotice, dismissNotice } from "./notice";
import { reportSocketError } from "./socketErrors";

describe("reportSocketError", () => {
  beforeAll(async () => {
    await i18next.init({ resources, lng: "ru", fallbackLng: false });
  });
  afterEach(() => dismissNotice());

  it("shows a known code as an error notice with the catalogue's key", () => {
    reportSocketError("tap_count_invalid");
    expect(currentNotice()).toMatchObject({
      key: "errors.tap_count_invalid",
      tone: "error",
      testId: "error-tap_count_invalid",
    });
    expect(i18next.t("errors.tap_count_invalid")).toBe("Эти тапы не засчитаны.");
  });

  it("falls back to the generic text for a code this build does not know", () => {
    reportSocketError("code_from_a_newer_server");
    expect(currentNotice()).toMatchObject({ key: "errors.unexpected" });
  });

  it("sends a blocked player to the blocked screen instead of a notice", () => {
    const blocked = vi.fn();
    const off = onBlocked(blocked);
    reportSocketError("user_blocked");
    off();
    expect(blocked).toHaveBeenCalledTimes(1);
    expect(currentNotice()).toBeNull();
  });
});
