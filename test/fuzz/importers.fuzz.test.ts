/**
 * Fuzzing every importer (importers/index.ts) with thousands of mutated files: truncated, bytes flipped, other
 * encodings (UTF-16, Latin-1, Windows-1252), 1 MB fields, extra, missing and shuffled columns, wrong types, injection
 * strings, zips (whole and damaged), and files that are nothing at all (empty, a BOM, NUL bytes).
 *
 * Each file must either import cleanly (and then importing it again changes nothing) or be refused with an
 * ImportError naming the file (and a line where it has one): never any other exception, and a refused file leaves
 * every table exactly as it was. Deterministic: a failure names the importer, iteration and mutations, and the seed
 * replays it; the failing file is kept in the temporary directory (its path is printed).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { ImportError, ImportErrors } from "../../importers/core/errors";
import { importFile, type Importer } from "../../importers/core/run";
import { importers } from "../../importers/index";
import { createTestDatabase, dumpTables, type TestDatabase } from "../support/db";
import { DEGENERATE_FILES, deepJson, FILE_MUTATIONS, mutateJson, prng, type Rng } from "./mutate";
import { SEEDS, type Seed } from "./seeds";

/** Mutated files per importer: 10 importers × 200 = 2,000, plus the degenerate files for each. */
const PER_IMPORTER = 200;
const FUZZ_SEED = 20261123;

const dir = mkdtempSync(join(tmpdir(), "icb-fuzz-importers-"));
let failed = false;
afterAll(() => {
  if (!failed) rmSync(dir, { recursive: true, force: true });
  else console.error(`fuzz: failing inputs kept in ${dir}`);
});

function zipBuffer(members: { name: string; data: Buffer }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(m.data, m.name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

function nameSeed(name: string): number {
  let h = FUZZ_SEED;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

interface Tally {
  imported: number;
  unchanged: number;
  refused: number;
}

/** Imports one file and checks the promise: clean import (a re-import is a no-op) or an ImportError that changed nothing. */
async function check(t: TestDatabase, seed: Seed, path: string, fileName: string, what: string, tally: Tally): Promise<void> {
  const importer = importers[seed.importer] as Importer<Record<string, unknown>>;
  const run = () => importFile(t.db, importer, path, { actor: "fuzz", ip: "fuzz", options: seed.options });
  const before = dumpTables(t);
  let result: Awaited<ReturnType<typeof run>> | undefined;
  let error: unknown;
  try {
    result = await run();
  } catch (e) {
    error = e;
  }
  const context = `${seed.importer} ${what} (${path})`;
  try {
    if (error !== undefined) {
      if (!(error instanceof ImportError || error instanceof ImportErrors)) {
        const e = error as Error;
        throw new Error(`${context}: threw ${e?.name ?? typeof error} instead of an ImportError: ${e?.message}\n${e?.stack ?? ""}`);
      }
      const list = error instanceof ImportErrors ? error.errors : [error];
      expect(list.length, context).toBeGreaterThan(0);
      for (const e of list) {
        expect(e.file.startsWith(fileName), `${context}: the error names the file: ${e.message}`).toBe(true);
        if (e.line !== null) expect(Number.isInteger(e.line) && e.line >= 1, `${context}: line ${e.line}`).toBe(true);
        expect(e.message.length, `${context}: a readable message`).toBeLessThan(4000);
        expect(e.message, context).not.toMatch(/NaN|\[object Object\]/);
      }
      expect(dumpTables(t), `${context}: a refused file changed the database (${error.message})`).toEqual(before);
      tally.refused++;
      return;
    }
    if (result!.status === "unchanged") {
      expect(dumpTables(t), `${context}: an unchanged import changed the database`).toEqual(before);
      tally.unchanged++;
      return;
    }
    tally.imported++;
    const after = dumpTables(t);
    const again = await run();
    expect(again.status, `${context}: importing the same file again`).toBe("unchanged");
    expect(dumpTables(t), `${context}: importing the same file again changed the database`).toEqual(after);
  } catch (e) {
    failed = true;
    throw e;
  }
}

/** One mutated file from a seed: 1 to 3 mutations, sometimes in a zip (sometimes a damaged one). */
async function mutant(seed: Seed, rng: Rng): Promise<{ content: Buffer; names: string[]; zip: boolean }> {
  let content: Buffer = Buffer.from(seed.content, "utf8");
  const names: string[] = [];
  if (seed.fileName.endsWith(".json") && rng.chance(0.5)) {
    const json = rng.chance(0.05) ? deepJson(2_000 + rng.int(50_000)) : JSON.stringify(mutateJson(JSON.parse(seed.content), rng));
    content = Buffer.from(json ?? "", "utf8");
    names.push("JSON structure");
  }
  const count = names.length > 0 && rng.chance(0.6) ? 0 : 1 + (rng.chance(0.3) ? 1 + rng.int(2) : 0);
  for (let i = 0; i < count; i++) {
    const m = rng.pick(FILE_MUTATIONS);
    content = m.apply(content, rng);
    names.push(m.name);
  }
  if (!rng.chance(0.1)) return { content, names, zip: false };
  let zipped: Buffer = await zipBuffer([{ name: seed.fileName.replace(/\.json$/, ".csv"), data: content }]);
  names.push("in a zip");
  if (rng.chance(0.5)) {
    const damage = rng.int(3);
    if (damage === 0) zipped = zipped.subarray(0, 4 + rng.int(zipped.length - 4));
    else if (damage === 1) for (let i = 0; i < 4; i++) zipped[30 + rng.int(Math.max(1, zipped.length - 30))] = rng.int(256);
    else zipped = Buffer.concat([zipped.subarray(0, 40), Buffer.alloc(200, 0), zipped.subarray(40)]);
    names.push(["truncated", "bytes flipped", "bytes inserted"][damage]!);
  }
  return { content: zipped, names, zip: true };
}

function replaceAll(data: Buffer, from: string, to: string): Buffer {
  const out = Buffer.from(data);
  for (let i = out.indexOf(from); i >= 0; i = out.indexOf(from, i + 1)) out.write(to, i, "latin1");
  return out;
}

let zerosZip: Promise<Buffer> | undefined;

/** Zips that are wrong as zips: nothing in them, a directory only, a member that inflates to 64 MB of zeros, a good member beside a bad one, a member named to climb out of its folder. */
async function degenerateZips(seed: Seed): Promise<{ name: string; content: Buffer }[]> {
  const good = Buffer.from(seed.content, "utf8");
  const member = seed.fileName.replace(/\.json$/, ".csv");
  const directoryOnly = new yazl.ZipFile();
  directoryOnly.addEmptyDirectory("folder/");
  directoryOnly.end();
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    directoryOnly.outputStream.on("data", (c: Buffer) => chunks.push(c));
    directoryOnly.outputStream.on("end", () => resolve());
  });
  return [
    { name: "no members", content: await zipBuffer([]) },
    { name: "a directory only", content: Buffer.concat(chunks) },
    { name: "64 MB of zeros", content: await (zerosZip ??= zipBuffer([{ name: "data.csv", data: Buffer.alloc(64 * 1024 * 1024) }])) },
    { name: "good and bad members", content: await zipBuffer([{ name: member, data: good }, { name: `bad-${member}`, data: Buffer.from("\u0000\u0001,,,\n\"") }]) },
    // yazl will not write a name with "..": write "xx/xx/" and change the bytes (the same length in both headers).
    { name: "member climbing out", content: replaceAll(await zipBuffer([{ name: `xx/xx/${member}`, data: good }]), "xx/xx/", "../../") },
    { name: "not CSV inside", content: await zipBuffer([{ name: "readme.txt", data: good }]) },
  ];
}

describe("fuzzing every importer", () => {
  it("has a seed for every importer, and each seed imports", () => {
    expect(SEEDS.map((s) => s.importer).sort()).toEqual(Object.keys(importers).sort());
  });

  for (const seed of SEEDS) {
    it(`${seed.importer}: ${PER_IMPORTER} mutated files and ${DEGENERATE_FILES.length} empty or meaningless ones import cleanly or are refused, changing nothing`, async () => {
      const t = createTestDatabase();
      const tally: Tally = { imported: 0, unchanged: 0, refused: 0 };
      try {
        // The seed itself first, so that mutated files meet a database with data in it (updates, not only inserts).
        const seedPath = join(dir, `${seed.importer}-seed-${seed.fileName}`);
        writeFileSync(seedPath, seed.content);
        const first = await importFile(t.db, importers[seed.importer] as Importer<Record<string, unknown>>, seedPath, { actor: "fuzz", options: seed.options });
        expect(first.status).toBe("imported");

        for (const d of DEGENERATE_FILES) {
          const fileName = `${seed.importer}-${d.name.replace(/\W+/g, "-")}-${seed.fileName}`;
          const path = join(dir, fileName);
          writeFileSync(path, d.content);
          await check(t, seed, path, fileName, `degenerate file "${d.name}"`, tally);
        }

        for (const z of await degenerateZips(seed)) {
          const fileName = `${seed.importer}-${z.name.replace(/\W+/g, "-")}.zip`;
          const path = join(dir, fileName);
          writeFileSync(path, z.content);
          await check(t, seed, path, fileName, `zip "${z.name}"`, tally);
        }

        const rng = prng(nameSeed(seed.importer));
        for (let i = 0; i < PER_IMPORTER; i++) {
          const { content, names, zip } = await mutant(seed, rng);
          const fileName = `${seed.importer}-${i}-${seed.fileName}${zip ? ".zip" : ""}`;
          const path = join(dir, fileName);
          writeFileSync(path, content);
          await check(t, seed, path, fileName, `iteration ${i} (seed ${nameSeed(seed.importer)}): ${names.join(" + ")}`, tally);
        }
      } finally {
        await t.dispose();
      }
      // Both outcomes happened: the fuzzer reached the importer's rules, not only its first line.
      expect(tally.refused, JSON.stringify(tally)).toBeGreaterThan(PER_IMPORTER / 4);
      expect(tally.imported + tally.unchanged, JSON.stringify(tally)).toBeGreaterThan(0);
    }, 120_000);
  }
});
