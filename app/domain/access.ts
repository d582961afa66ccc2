import type { Role } from "../../db/schema";

/**
 * Who may see what. Pure rules; the guards in `utils/auth.server.ts` apply them at the top of every loader and action.
 *
 * - `admin`: everything.
 * - `icb` (a commissioner): their own ICB and the practices whose current ICB it is.
 * - `practice` (a practice manager): their own practice only; never an ICB page, never another practice.
 */
export type Permission =
  | "view:icb:own"
  | "view:icb:any"
  | "view:practice:own"
  | "view:practice:icb"
  | "view:practice:any"
  | "view:imports:any"
  | "manage:users:any"
  /** Ask for a pause of the practice's own tool, and withdraw it while pending. */
  | "request:pause:own"
  /** Approve or decline pause requests from the ICB's practices. */
  | "decide:pause:icb"
  /** Change the ICB's flagging policy. */
  | "edit:policy:icb"
  /** Issue and revoke supplier push tokens. */
  | "manage:suppliers:any"
  /** Search and download the audit log. */
  | "view:audit:any";

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ["view:icb:any", "view:practice:any", "view:imports:any", "manage:users:any", "manage:suppliers:any", "view:audit:any"],
  icb: ["view:icb:own", "view:practice:icb", "decide:pause:icb", "edit:policy:icb"],
  practice: ["view:practice:own", "request:pause:own"],
};

export interface Principal {
  role: Role;
  icbCode: string | null;
  practiceCode: string | null;
}

export function hasPermission(user: Principal, permission: Permission): boolean {
  return ROLE_PERMISSIONS[user.role].includes(permission);
}

export function canViewIcb(user: Principal, icbCode: string): boolean {
  if (hasPermission(user, "view:icb:any")) return true;
  return hasPermission(user, "view:icb:own") && user.icbCode === icbCode;
}

export function canViewPractice(user: Principal, practice: { ods_code: string; icb_code: string | null }): boolean {
  if (hasPermission(user, "view:practice:any")) return true;
  if (hasPermission(user, "view:practice:icb") && practice.icb_code !== null && practice.icb_code === user.icbCode) return true;
  return hasPermission(user, "view:practice:own") && practice.ods_code === user.practiceCode;
}

/**
 * Pause requests: the practice asks (and may withdraw while pending), a commissioner of its ICB decides. Neither
 * side acts for the other, and an admin only looks: the decision is a commissioning one (docs/decisions/0010).
 */
export function canRequestPause(user: Principal, practice: { ods_code: string }): boolean {
  return hasPermission(user, "request:pause:own") && practice.ods_code === user.practiceCode;
}

export function canDecidePause(user: Principal, practice: { icb_code: string | null }): boolean {
  return hasPermission(user, "decide:pause:icb") && practice.icb_code !== null && practice.icb_code === user.icbCode;
}

/** The ICB's own commissioners change its policy; admins may look at it. */
export function canEditPolicy(user: Principal, icbCode: string): boolean {
  return hasPermission(user, "edit:policy:icb") && user.icbCode === icbCode;
}

/** Where a user starts after signing in. */
export function homePath(user: Principal): string {
  if (user.role === "icb" && user.icbCode) return `/icb/${encodeURIComponent(user.icbCode)}`;
  if (user.role === "practice" && user.practiceCode) return `/practices/${encodeURIComponent(user.practiceCode)}`;
  return "/admin";
}

/** Only this app's own paths: `/x`, never `//host`, `/\host` or an absolute URL. */
export function safeRedirect(to: unknown, fallback: string): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  if (/[\r\n\t]/.test(to)) return fallback;
  return to;
}
