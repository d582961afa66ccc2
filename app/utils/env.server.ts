import { z } from "zod";
import { DEFAULT_BUSY_WAIT_MS } from "../../db/waiting-driver";

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  DATABASE_PATH: z.string().min(1).optional(),
  SESSION_SECRET: z.string().min(32, "SESSION_SECRET must be at least 32 characters").optional(),
  /** A session ends this many hours after sign-in, whatever its use. */
  SESSION_MAX_AGE_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** A session ends after this many minutes without a request. */
  SESSION_IDLE_MINUTES: z.coerce.number().positive().max(24 * 60).default(60),
  /** Log queries taking at least this many milliseconds (0 logs every query) to stderr; unset logs none. */
  SLOW_QUERY_MS: z.coerce.number().min(0).optional(),
  /** How long a write waits (without blocking other requests) for an import's lock before the request fails, ms. */
  DB_BUSY_WAIT_MS: z.coerce.number().int().min(0).max(10 * 60_000).default(DEFAULT_BUSY_WAIT_MS),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** The environment, validated once; a bad value stops the app at boot with a message naming it. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  cached = parsed.data;
  return cached;
}
