import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { prepareDatabase } from "./utils/db.server";
import { getEnv } from "./utils/env.server";
import { NonceProvider } from "./utils/nonce";

export const streamTimeout = 10_000;

/** Called by server.js before it listens: validates the environment, migrates the database, settles the session secret. */
export async function prepare(): Promise<void> {
  getEnv();
  await prepareDatabase();
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const download = downloadFromLoader(remixContext, responseStatusCode);
  if (download) return download;
  const nonce = loadContext.cspNonce ?? "";
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1000);
  });
}

/**
 * Pages that offer their table as CSV (`?format=csv`) return the file from their loader as a Response with
 * `Content-Disposition: attachment`. For a document request Remix would read that body as loader data and render
 * HTML; here the file is sent as it was returned instead.
 */
function downloadFromLoader(remixContext: EntryContext, status: number): Response | null {
  const ctx = remixContext.staticHandlerContext;
  for (const match of [...ctx.matches].reverse()) {
    const headers = ctx.loaderHeaders[match.route.id];
    if (headers?.get("Content-Disposition")?.startsWith("attachment")) {
      const body = ctx.loaderData[match.route.id];
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers });
    }
  }
  return null;
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  console.error(error);
}
