import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound } from "~/utils/http.server";

// Any address the app does not have: the NHS-style 404 from the root error boundary.
export async function loader(_args: LoaderFunctionArgs) {
  throw notFound();
}

export async function action() {
  throw notFound();
}

export default function NotFound() {
  return null;
}
