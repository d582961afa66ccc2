import { describe, expect, it } from "vitest";
import { formatFixed, formatUpTo } from "~/domain/numbers";

describe("number formats", () => {
  it("formatFixed gives exactly the digits asked, with thousands separators, and '' for no value", () => {
    expect([formatFixed(1234.5, 2), formatFixed(0.125, 1), formatFixed(7, 0), formatFixed(-3.14159, 3)]).toEqual(["1,234.50", "0.1", "7", "-3.142"]);
    expect([formatFixed(null, 1), formatFixed(undefined, 1), formatFixed(Number.NaN, 1), formatFixed(Infinity, 1)]).toEqual(["", "", "", ""]);
  });

  it("formatUpTo drops trailing zeros, and each precision keeps its own formatter", () => {
    expect([formatUpTo(1234.5, 2), formatUpTo(7, 2), formatUpTo(0.126, 2), formatUpTo(2.5, 0)]).toEqual(["1,234.5", "7", "0.13", "3"]);
    // Asked in turn, the precisions must not leak into each other through the shared formatters.
    expect([formatFixed(2, 2), formatUpTo(2, 2), formatFixed(2, 0)]).toEqual(["2.00", "2", "2"]);
  });
});
