import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link } from "@remix-run/react";
import { audit, getUser } from "~/utils/auth.server";
import { destroySession } from "~/utils/session.server";

export const meta: MetaFunction = () => [{ title: "Sign out – ICB Access Monitor" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  if (!user) throw redirect("/login");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await getUser(request);
  if (user) await audit(user, context, { action: "auth.signed_out", entityType: "user", entityId: String(user.id) });
  const setCookie = await destroySession(request, context);
  return redirect("/login", { headers: { "Set-Cookie": setCookie } });
}

export default function Logout() {
  return (
    <>
      <h1>Sign out</h1>
      <Form method="post">
        <button className="nhsuk-button" type="submit">
          Sign out
        </button>
      </Form>
      <p>
        <Link to="/">Go back to your home page</Link>
      </p>
    </>
  );
}
