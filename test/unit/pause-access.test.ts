import { describe, expect, it } from "vitest";
import { canDecidePause, canEditPolicy, canRequestPause, hasPermission, type Principal } from "~/domain/access";

const admin: Principal = { role: "admin", icbCode: null, practiceCode: null };
const commissioner: Principal = { role: "icb", icbCode: "DEMO1", practiceCode: null };
const manager: Principal = { role: "practice", icbCode: null, practiceCode: "DEM001" };
const own = { ods_code: "DEM001", icb_code: "DEMO1" };
const sameIcb = { ods_code: "DEM002", icb_code: "DEMO1" };
const otherIcb = { ods_code: "DEM110", icb_code: "DEMO2" };
const noIcb = { ods_code: "X00001", icb_code: null };

describe("who asks and who decides", () => {
  it("lets only the practice's own manager ask for (and withdraw) a pause", () => {
    expect(canRequestPause(manager, own)).toBe(true);
    expect(canRequestPause(manager, sameIcb)).toBe(false);
    expect(canRequestPause(commissioner, own)).toBe(false);
    expect(canRequestPause(admin, own)).toBe(false);
  });

  it("lets only a commissioner of the practice's ICB decide", () => {
    expect(canDecidePause(commissioner, own)).toBe(true);
    expect(canDecidePause(commissioner, sameIcb)).toBe(true);
    expect(canDecidePause(commissioner, otherIcb)).toBe(false);
    expect(canDecidePause(commissioner, noIcb)).toBe(false);
    expect(canDecidePause(manager, own)).toBe(false);
    expect(canDecidePause(admin, own)).toBe(false);
  });

  it("lets only the ICB's commissioners change its policy, and only admins manage supplier tokens", () => {
    expect(canEditPolicy(commissioner, "DEMO1")).toBe(true);
    expect(canEditPolicy(commissioner, "DEMO2")).toBe(false);
    expect(canEditPolicy(admin, "DEMO1")).toBe(false);
    expect(canEditPolicy(manager, "DEMO1")).toBe(false);
    expect([admin, commissioner, manager].map((u) => hasPermission(u, "manage:suppliers:any"))).toEqual([true, false, false]);
  });
});
