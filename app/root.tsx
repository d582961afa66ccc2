import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import nhsukStyles from "nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css?url";
import appStyles from "./styles/app.css?url";
import { ErrorPage } from "./components/ErrorPage";
import { Footer, Header, SERVICE_NAME, type HeaderUser } from "./components/Header";
import { getUser } from "./utils/auth.server";
import { getDb } from "./utils/db.server";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: nhsukStyles },
  { rel: "stylesheet", href: appStyles },
  { rel: "icon", href: "/favicon.ico", sizes: "48x48" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: SERVICE_NAME }];

const ROLE_LABELS = { icb: "ICB commissioner", practice: "Practice manager", admin: "Administrator" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  if (!user) return { user: null };
  let scopeLabel: string | null = null;
  if (user.icbCode) {
    const icb = await getDb().selectFrom("icbs").select(["code", "name"]).where("code", "=", user.icbCode).executeTakeFirst();
    scopeLabel = icb?.name ?? user.icbCode;
  } else if (user.practiceCode) {
    const practice = await getDb().selectFrom("practices").select("name").where("ods_code", "=", user.practiceCode).executeTakeFirst();
    scopeLabel = practice ? `${practice.name} (${user.practiceCode})` : user.practiceCode;
  }
  const headerUser: HeaderUser = {
    name: user.name,
    email: user.email,
    role: user.role,
    roleLabel: ROLE_LABELS[user.role],
    scopeLabel,
    icbCode: user.icbCode,
    practiceCode: user.practiceCode,
  };
  return { user: headerUser };
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const nonce = useNonce();
  useEffect(() => {
    // The design system's behaviours (header menu, focus on error summaries) once the page is interactive.
    void import("nhsuk-frontend").then(({ initAll }) => initAll());
  }, []);
  return (
    <html lang="en-GB">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="nhsuk-skip-link" href="#maincontent">
          Skip to main content
        </a>
        <Header user={data?.user ?? null} />
        <div className="nhsuk-width-container app-width-container">
          <main className="nhsuk-main-wrapper" id="maincontent">
            {children}
          </main>
        </div>
        <Footer />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return <ErrorPage status={status} />;
}
