import { describe, expect, it } from "vitest";
import { canViewIcb, canViewPractice, homePath, safeRedirect, type Principal } from "~/domain/access";

const admin: Principal = { role: "admin", icbCode: null, practiceCode: null };
const commissioner: Principal = { role: "icb", icbCode: "DEMO1", practiceCode: null };
const manager: Principal = { role: "practice", icbCode: null, practiceCode: "DEM001" };

describe("who may see what", () => {
  it("lets an admin see every ICB and practice", () => {
    expect(canViewIcb(admin, "QHM")).toBe(true);
    expect(canViewPractice(admin, { ods_code: "A81001", icb_code: "QHM" })).toBe(true);
  });

  it("keeps a commissioner to their own ICB and its practices", () => {
    expect(canViewIcb(commissioner, "DEMO1")).toBe(true);
    expect(canViewIcb(commissioner, "DEMO2")).toBe(false);
    expect(canViewPractice(commissioner, { ods_code: "DEM005", icb_code: "DEMO1" })).toBe(true);
    expect(canViewPractice(commissioner, { ods_code: "DEM110", icb_code: "DEMO2" })).toBe(false);
    expect(canViewPractice(commissioner, { ods_code: "X00001", icb_code: null })).toBe(false);
  });

  it("keeps a practice manager to their own practice and no ICB page", () => {
    expect(canViewPractice(manager, { ods_code: "DEM001", icb_code: "DEMO1" })).toBe(true);
    expect(canViewPractice(manager, { ods_code: "DEM002", icb_code: "DEMO1" })).toBe(false);
    expect(canViewIcb(manager, "DEMO1")).toBe(false);
  });

  it("sends each role to its own home page", () => {
    expect(homePath(commissioner)).toBe("/icb/DEMO1");
    expect(homePath(manager)).toBe("/practices/DEM001");
    expect(homePath(admin)).toBe("/admin");
  });

  it("redirects only to this app's own paths", () => {
    expect(safeRedirect("/icb/DEMO1/practices?pcn=DEMPCN01", "/")).toBe("/icb/DEMO1/practices?pcn=DEMPCN01");
    for (const bad of ["//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "", null, 42, "/a\r\nSet-Cookie: x"]) {
      expect(safeRedirect(bad, "/home")).toBe("/home");
    }
  });
});
