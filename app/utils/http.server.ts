/** Thrown from loaders and actions; the route's error boundary renders an NHS-style page with nothing else in it. */
export function notFound(): Response {
  return new Response("Not Found", { status: 404, statusText: "Not Found" });
}

export function forbidden(): Response {
  return new Response("Forbidden", { status: 403, statusText: "Forbidden" });
}

export function badRequest(message = "Bad Request"): Response {
  return new Response(message, { status: 400, statusText: "Bad Request" });
}
