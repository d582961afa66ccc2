import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const BUNDLE = "build/server/index.js";
const LOCK = "build/.test-build-lock";

function stale(): boolean {
  return !existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < Math.max(newestMtime("app"), newestMtime("db"), statSync("vite.config.ts").mtimeMs);
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds the app when its bundle is missing or older than its sources. Only tests that run the built app call
 * this (unit tests never wait for a build); a lock directory makes parallel test workers build once.
 */
export function ensureBuild(): void {
  if (!stale()) return;
  mkdirSync("build", { recursive: true });
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (waited > 300_000) throw new Error(`Waited 5 minutes for another test worker's build (remove ${LOCK} if none is running)`);
      sleep(500);
    }
  }
  try {
    if (stale()) execFileSync("npx", ["remix", "vite:build"], { stdio: "inherit" });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
