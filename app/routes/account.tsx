import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { ErrorSummary } from "~/components/ErrorSummary";
import { NotificationBanner } from "~/components/NotificationBanner";
import { ScrollableTable } from "~/components/ScrollableTable";
import { changePassword } from "~/services/account.server";
import { audit, requireUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { formatInstant } from "~/utils/format";
import type { FieldErrors } from "~/utils/forms";
import { clearSessionCookie, createSession, destroyAllSessions, listSessions } from "~/utils/session.server";
import { PASSWORD_MIN_LENGTH } from "~/utils/users.server";

/**
 * "Your account", for every signed-in user: change the password (which ends every other session and starts a
 * fresh one here), sign out everywhere, and the sessions that are live now (never their tokens).
 */

export const meta: MetaFunction = () => [{ title: "Your account – ICB Access Monitor" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const sessions = await listSessions(user.id, user.sessionId);
  const changed = new URL(request.url).searchParams.get("changed") === "password";
  const env = getEnv();
  const limits = { idleMinutes: env.SESSION_IDLE_MINUTES, maxAgeHours: env.SESSION_MAX_AGE_HOURS };
  return { email: user.email, name: user.name, sessions, changed, limits, minLength: PASSWORD_MIN_LENGTH };
}

const PasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(1024, "Enter a shorter password"),
    newPassword: z
      .string()
      .min(PASSWORD_MIN_LENGTH, `Your new password must be at least ${PASSWORD_MIN_LENGTH} characters`)
      .max(1024, "Your new password must be 1,024 characters or fewer"),
    confirmPassword: z.string().max(1024, "Enter a shorter password"),
  })
  .superRefine((v, ctx) => {
    if (v.newPassword !== v.confirmPassword) ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "Enter the same new password twice" });
    if (v.newPassword === v.currentPassword && v.newPassword.length > 0)
      ctx.addIssue({ code: "custom", path: ["newPassword"], message: "Choose a new password that is different from your current one" });
  });

type Result = { errors: FieldErrors };

const FIELDS = ["currentPassword", "newPassword", "confirmPassword"] as const;

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await request.formData();
  const intent = form.get("intent");

  if (intent === "sign-out-everywhere") {
    const ended = await destroyAllSessions(user.id);
    await audit(user, context, { action: "auth.signed_out_everywhere", entityType: "user", entityId: String(user.id), detail: { sessionsEnded: ended } });
    return redirect("/login", { headers: { "Set-Cookie": await clearSessionCookie(context) } });
  }

  if (intent === "change-password") {
    const values = Object.fromEntries(FIELDS.map((k) => [k, typeof form.get(k) === "string" ? (form.get(k) as string) : ""]));
    const parsed = PasswordSchema.safeParse(values);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
      return data<Result>({ errors }, { status: 400 });
    }
    const result = await changePassword(getDb(), user, parsed.data, { ip: context.clientIp ?? null });
    if (!result.ok) {
      const message =
        result.reason === "throttled" ? "Too many attempts to change your password. Wait 15 minutes, then try again" : "Enter your current password correctly";
      return data<Result>({ errors: { currentPassword: message } }, { status: result.reason === "throttled" ? 429 : 400 });
    }
    // Every session of the user ended with the change; this browser carries on with a fresh session id.
    const setCookie = await createSession(user.id, request, context);
    return redirect("/account?changed=password", { headers: { "Set-Cookie": setCookie } });
  }

  return data<Result>({ errors: { form: "Choose what to do" } }, { status: 400 });
}

const LABELS: Record<(typeof FIELDS)[number], string> = {
  currentPassword: "Current password",
  newPassword: "New password",
  confirmPassword: "New password again",
};

function PasswordField({ name, error, autoComplete, hint }: { name: (typeof FIELDS)[number]; error?: string; autoComplete: string; hint?: string }) {
  const describedBy = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`nhsuk-form-group${error ? " nhsuk-form-group--error" : ""}`}>
      <label className="nhsuk-label" htmlFor={name}>
        {LABELS[name]}
      </label>
      {hint ? (
        <div className="nhsuk-hint" id={`${name}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <span className="nhsuk-error-message" id={`${name}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      ) : null}
      <input
        className={`nhsuk-input nhsuk-u-width-one-half${error ? " nhsuk-input--error" : ""}`}
        id={name}
        name={name}
        type="password"
        autoComplete={autoComplete}
        aria-describedby={describedBy}
      />
    </div>
  );
}

export default function Account() {
  const { email, name, sessions, changed, limits, minLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors = result?.errors ?? {};
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // Passwords are never shown back, even in the fields.
    if (result) formRef.current?.reset();
  }, [result]);
  return (
    <>
      <ErrorSummary errors={errors} order={[...FIELDS, "form"]} />
      {changed && !result ? (
        <NotificationBanner success heading="Your password has been changed">
          <p>Every other session of your account has ended. Sign in again with your new password on your other devices.</p>
        </NotificationBanner>
      ) : null}
      <h1>Your account</h1>
      <dl className="nhsuk-summary-list">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Name</dt>
          <dd className="nhsuk-summary-list__value">{name}</dd>
        </div>
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Email address</dt>
          <dd className="nhsuk-summary-list__value">{email}</dd>
        </div>
      </dl>

      <h2>Change your password</h2>
      <Form method="post" noValidate ref={formRef}>
        <input type="hidden" name="intent" value="change-password" />
        <PasswordField name="currentPassword" error={errors.currentPassword} autoComplete="current-password" />
        <PasswordField
          name="newPassword"
          error={errors.newPassword}
          autoComplete="new-password"
          hint={`At least ${minLength} characters. A few unrelated words make a strong password that is easy to remember.`}
        />
        <PasswordField name="confirmPassword" error={errors.confirmPassword} autoComplete="new-password" />
        <button className="nhsuk-button" type="submit" disabled={navigation.state === "submitting"}>
          Change password
        </button>
      </Form>

      <h2>Where you are signed in</h2>
      <p>
        A session ends after {limits.idleMinutes} minutes without use, and {limits.maxAgeHours} hours after signing in at the latest. Times are UK time.
      </p>
      <ScrollableTable caption="Your sessions" captionStyle="hidden">
        <thead className="nhsuk-table__head">
          <tr className="nhsuk-table__row">
            <th className="nhsuk-table__header" scope="col">
              Signed in
            </th>
            <th className="nhsuk-table__header" scope="col">
              Last used
            </th>
            <th className="nhsuk-table__header" scope="col">
              Address
            </th>
            <th className="nhsuk-table__header" scope="col">
              Browser
            </th>
          </tr>
        </thead>
        <tbody className="nhsuk-table__body" data-testid="sessions">
          {sessions.map((s, i) => (
            <tr className="nhsuk-table__row" key={`${s.createdAt}-${i}`}>
              <td className="nhsuk-table__cell">
                {formatInstant(s.createdAt)}
                {s.current ? (
                  <>
                    {" "}
                    <strong className="nhsuk-tag nhsuk-tag--green">This session</strong>
                  </>
                ) : null}
              </td>
              <td className="nhsuk-table__cell">{formatInstant(s.lastSeenAt)}</td>
              <td className="nhsuk-table__cell">{s.ip ?? "Not known"}</td>
              <td className="nhsuk-table__cell">{s.userAgent ?? "Not known"}</td>
            </tr>
          ))}
        </tbody>
      </ScrollableTable>

      <h2>Sign out everywhere</h2>
      <p>Ends every session of your account, including this one. Do this if you signed in on a computer you no longer use, or think someone else may have.</p>
      <Form method="post">
        <input type="hidden" name="intent" value="sign-out-everywhere" />
        <button className="nhsuk-button nhsuk-button--warning" type="submit" disabled={navigation.state === "submitting"}>
          Sign out everywhere
        </button>
      </Form>
    </>
  );
}
