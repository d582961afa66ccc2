import { describe, expect, it } from "vitest";
import { PAGE_SIZE, pageNumbers, paginate, withParams } from "~/utils/table";

/** Rows 1..n, so that a page's rows are its positions. */
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const range = (from: number, to: number) => upTo(to - from + 1).map((i) => i + from - 1);

describe("paginate", () => {
  it("pages 50 rows at a time by default", () => {
    expect(PAGE_SIZE).toBe(50);
    const { rows, info } = paginate(upTo(102), null);
    expect(rows).toEqual(range(1, 50));
    expect(info).toEqual({ page: 1, pages: 3, total: 102, first: 1, last: 50 });
  });

  it("gives the first, a middle and the last page, the last with the remainder", () => {
    const rows = upTo(104);
    expect(paginate(rows, "1").rows).toEqual(range(1, 50));
    const middle = paginate(rows, "2");
    expect(middle.rows).toEqual(range(51, 100));
    expect(middle.info).toEqual({ page: 2, pages: 3, total: 104, first: 51, last: 100 });
    const last = paginate(rows, "3");
    expect(last.rows).toEqual([101, 102, 103, 104]);
    expect(last.info).toEqual({ page: 3, pages: 3, total: 104, first: 101, last: 104 });
  });

  it("keeps the rows' order and takes any page size", () => {
    const letters = ["e", "d", "c", "b", "a"];
    expect(paginate(letters, "2", 2)).toEqual({ rows: ["c", "b"], info: { page: 2, pages: 3, total: 5, first: 3, last: 4 } });
    expect(paginate(letters, "3", 2).rows).toEqual(["a"]);
  });

  it("treats an empty list as one empty page, whatever page is asked for", () => {
    const expected = { rows: [], info: { page: 1, pages: 1, total: 0, first: 0, last: 0 } };
    expect(paginate([], null)).toEqual(expected);
    expect(paginate([], "1")).toEqual(expected);
    expect(paginate([], "4")).toEqual(expected);
  });

  it("has no empty last page when the rows are an exact multiple of the page size", () => {
    expect(paginate(upTo(100), null).info.pages).toBe(2);
    expect(paginate(upTo(100), "2")).toEqual({ rows: range(51, 100), info: { page: 2, pages: 2, total: 100, first: 51, last: 100 } });
    // Past the end is the last full page, not an empty third.
    expect(paginate(upTo(100), "3").info).toEqual({ page: 2, pages: 2, total: 100, first: 51, last: 100 });
    expect(paginate(upTo(50), null).info).toEqual({ page: 1, pages: 1, total: 50, first: 1, last: 50 });
    expect(paginate(upTo(51), "2")).toEqual({ rows: [51], info: { page: 2, pages: 2, total: 51, first: 51, last: 51 } });
  });

  it("reads 0, negative and non-numbers as page 1", () => {
    const rows = upTo(104);
    for (const asked of ["0", "000", "-1", "-3", "abc", "", "1.5", "2.0", "1e1", " 2", "2 ", "+2", "0x2", "２"]) {
      expect(paginate(rows, asked).info, JSON.stringify(asked)).toEqual({ page: 1, pages: 3, total: 104, first: 1, last: 50 });
    }
    // Leading zeros are still a whole number.
    expect(paginate(rows, "02").info.page).toBe(2);
  });

  it("reads a page past the end as the last page, however large", () => {
    const rows = upTo(104);
    for (const asked of ["4", "99", "1000000", "12345678901234567890", "9".repeat(400)]) {
      const { rows: shown, info } = paginate(rows, asked);
      expect(info, asked.slice(0, 20)).toEqual({ page: 3, pages: 3, total: 104, first: 101, last: 104 });
      expect(shown).toEqual([101, 102, 103, 104]);
    }
  });
});

describe("pageNumbers", () => {
  it("shows every page when there are few", () => {
    expect(pageNumbers(1, 1)).toEqual([1]);
    expect(pageNumbers(1, 2)).toEqual([1, 2]);
    expect(pageNumbers(2, 3)).toEqual([1, 2, 3]);
    expect(pageNumbers(3, 3)).toEqual([1, 2, 3]);
    // Page 3 of 5 neighbours 2 and 4, which touch 1 and 5.
    expect(pageNumbers(3, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it("shows the first, the last, and the current page with one either side, with an ellipsis for each longer gap", () => {
    expect(pageNumbers(1, 10)).toEqual([1, 2, null, 10]);
    expect(pageNumbers(5, 10)).toEqual([1, null, 4, 5, 6, null, 10]);
    expect(pageNumbers(10, 10)).toEqual([1, null, 9, 10]);
    expect(pageNumbers(9, 10)).toEqual([1, null, 8, 9, 10]);
    expect(pageNumbers(50, 100)).toEqual([1, null, 49, 50, 51, null, 100]);
  });

  it("shows a single left-out page rather than an ellipsis standing for it", () => {
    // 1 _ 3 4 5: the gap is page 2 alone.
    expect(pageNumbers(4, 10)).toEqual([1, 2, 3, 4, 5, null, 10]);
    expect(pageNumbers(7, 10)).toEqual([1, null, 6, 7, 8, 9, 10]);
    expect(pageNumbers(1, 4)).toEqual([1, 2, 3, 4]);
    expect(pageNumbers(1, 5)).toEqual([1, 2, null, 5]);
  });

  it("never repeats a page or puts two ellipses together, and always keeps the first and last", () => {
    for (let pages = 1; pages <= 30; pages++) {
      for (let page = 1; page <= pages; page++) {
        const shown = pageNumbers(page, pages);
        const numbers = shown.filter((p): p is number => p !== null);
        expect(numbers, `${page} of ${pages}`).toEqual([...numbers].sort((a, b) => a - b));
        expect(new Set(numbers).size).toBe(numbers.length);
        expect(numbers[0]).toBe(1);
        expect(numbers.at(-1)).toBe(pages);
        expect(numbers).toContain(page);
        shown.forEach((p, i) => {
          if (p === null) {
            // An ellipsis stands between two numbers at least 3 apart (2 or more pages left out).
            const before = shown[i - 1];
            const after = shown[i + 1];
            expect(typeof before === "number" && typeof after === "number" && after - before >= 3, `${page} of ${pages}`).toBe(true);
          }
        });
      }
    }
  });

  it("clamps a current page outside 1..pages, and shows nothing for no pages", () => {
    expect(pageNumbers(0, 10)).toEqual([1, 2, null, 10]);
    expect(pageNumbers(-4, 10)).toEqual([1, 2, null, 10]);
    expect(pageNumbers(12, 10)).toEqual([1, null, 9, 10]);
    expect(pageNumbers(1, 0)).toEqual([]);
  });
});

describe("page links (withParams)", () => {
  it("change only the page and keep every other parameter; page 1 drops it", () => {
    const search = "?from=2026-03-23&to=2026-04-03&pcn=DEMPCN02&flag=not-flagged&approach=compliant&sort=code&dir=desc&page=2";
    expect(withParams(search, { page: "3" })).toBe(
      "?from=2026-03-23&to=2026-04-03&pcn=DEMPCN02&flag=not-flagged&approach=compliant&sort=code&dir=desc&page=3"
    );
    expect(withParams(search, { page: null })).toBe("?from=2026-03-23&to=2026-04-03&pcn=DEMPCN02&flag=not-flagged&approach=compliant&sort=code&dir=desc");
    // A sort link resets to page 1.
    expect(withParams(search, { sort: "name", dir: "asc", page: null })).toBe(
      "?from=2026-03-23&to=2026-04-03&pcn=DEMPCN02&flag=not-flagged&approach=compliant&sort=name&dir=asc"
    );
  });
});
