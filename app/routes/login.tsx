import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { ErrorSummary } from "~/components/ErrorSummary";
import { homePath, safeRedirect } from "~/domain/access";
import { getUser } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { parseForm } from "~/utils/forms";
import { attemptSignIn } from "~/utils/login.server";
import { createSession } from "~/utils/session.server";

export const meta: MetaFunction = () => [{ title: "Sign in – ICB Access Monitor" }];

const SignInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, "Enter your email address").max(320, "Enter a shorter email address"),
  password: z.string().min(1, "Enter your password").max(1024, "Enter a shorter password"),
  redirectTo: z.string().max(2000).optional(),
});

const GENERIC_FAILURE = "Enter a correct email address and password";
const THROTTLED = "Too many attempts to sign in. Wait 15 minutes, then try again";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  if (user) {
    const to = new URL(request.url).searchParams.get("redirectTo");
    throw redirect(safeRedirect(to, homePath(user)));
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(await request.formData(), SignInSchema);
  if (!parsed.ok) return data({ errors: parsed.errors, email: parsed.values.email ?? "" }, { status: 400 });
  const { email, password, redirectTo } = parsed.data;
  const result = await attemptSignIn(email, password, context);
  if (!result.ok) {
    const message = result.reason === "throttled" ? THROTTLED : GENERIC_FAILURE;
    return data({ errors: { email: message } as Record<string, string>, email }, { status: result.reason === "throttled" ? 429 : 401 });
  }
  const user = await getDb()
    .selectFrom("users")
    .select(["role", "icb_code", "practice_code"])
    .where("id", "=", result.userId)
    .executeTakeFirstOrThrow();
  const home = homePath({ role: user.role, icbCode: user.icb_code, practiceCode: user.practice_code });
  const setCookie = await createSession(result.userId, request, context);
  return redirect(safeRedirect(redirectTo, home), { headers: { "Set-Cookie": setCookie } });
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const errors = result?.errors ?? {};
  const passwordRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // A refused password is never shown back, even in the field.
    if (result && passwordRef.current) passwordRef.current.value = "";
  }, [result]);
  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} order={["email", "password"]} />
        <h1>Sign in</h1>
        <p>
          Sign in with the account your ICB gave you. Commissioners see every practice in their ICB; practice managers see their own practice.
        </p>
        <Form method="post" noValidate>
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
          <div className={`nhsuk-form-group${errors.email ? " nhsuk-form-group--error" : ""}`}>
            <label className="nhsuk-label" htmlFor="email">
              Email address
            </label>
            {errors.email ? (
              <span className="nhsuk-error-message" id="email-error">
                <span className="nhsuk-u-visually-hidden">Error:</span> {errors.email}
              </span>
            ) : null}
            <input
              className={`nhsuk-input${errors.email ? " nhsuk-input--error" : ""}`}
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              spellCheck={false}
              defaultValue={result?.email ?? ""}
              aria-describedby={errors.email ? "email-error" : undefined}
            />
          </div>
          <div className={`nhsuk-form-group${errors.password ? " nhsuk-form-group--error" : ""}`}>
            <label className="nhsuk-label" htmlFor="password">
              Password
            </label>
            {errors.password ? (
              <span className="nhsuk-error-message" id="password-error">
                <span className="nhsuk-u-visually-hidden">Error:</span> {errors.password}
              </span>
            ) : null}
            <input
              className={`nhsuk-input${errors.password ? " nhsuk-input--error" : ""}`}
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              ref={passwordRef}
              aria-describedby={errors.password ? "password-error" : undefined}
            />
          </div>
          <button className="nhsuk-button" type="submit" disabled={navigation.state === "submitting"}>
            Sign in
          </button>
        </Form>
      </div>
    </div>
  );
}
