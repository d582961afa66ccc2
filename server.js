/**
 * The HTTP server: Express in front of the Remix request handler.
 *
 *   node server.js          serve the built app (npm run serve): PORT (3000), HOST (127.0.0.1), DATABASE_PATH
 *   node server.js --dev    the same with Vite's dev server and hot reload (npm run dev)
 *
 * Before listening it validates the environment and migrates the database (entry.server's `prepare`).
 *
 * With WEB_CONCURRENCY=N (N > 1, not --dev) a small primary process starts N server processes sharing the port
 * (node:cluster), the first alone until it has migrated, and starts another when one dies (ADR 20). SQLite in WAL
 * mode lets them all read at once, and sessions, sign-in throttling and the audit log live in the database, so any
 * process can answer any request.
 *
 * Every response carries the security headers; documents get a Content-Security-Policy with a fresh nonce. State-changing
 * requests from other sites are refused (403), and request bodies over MAX_BODY_BYTES (1 MiB) are refused (413) before
 * the app sees them (docs/operations.md).
 */
import { createRequestHandler } from "@remix-run/express";
import cluster from "node:cluster";
import compression from "compression";
import express from "express";
import helmet from "helmet";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";

const dev = process.argv.includes("--dev");
process.env.NODE_ENV ??= dev ? "development" : "production";

/** The largest request body taken (forms and the push API); a larger one is answered 413 and never reaches the app. */
const maxBodyBytes = Number(process.env.MAX_BODY_BYTES ?? 1024 * 1024);
if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
  console.error(`MAX_BODY_BYTES must be a whole number of bytes above 0, got ${JSON.stringify(process.env.MAX_BODY_BYTES)}`);
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a number from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

/** Server processes: 1 serves from this process; more start a primary that supervises that many (not with --dev). */
const webConcurrency = Number(process.env.WEB_CONCURRENCY ?? 1);
if (!Number.isInteger(webConcurrency) || webConcurrency < 1 || webConcurrency > 64) {
  console.error(`WEB_CONCURRENCY must be a whole number from 1 to 64, got ${JSON.stringify(process.env.WEB_CONCURRENCY)}`);
  process.exit(1);
}
/** This process is a cluster's primary: it supervises the server processes and serves nothing itself. */
const supervising = !dev && webConcurrency > 1 && cluster.isPrimary;

/** Where a server listening on `port` can be reached, as printed when it starts. */
const shownUrl = (port) => `http://${host === "0.0.0.0" ? "localhost" : host}:${port}`;

const viteDevServer = dev
  ? await import("vite").then((vite) => vite.createServer({ server: { middlewareMode: true } }))
  : undefined;

const loadBuild = () =>
  viteDevServer ? viteDevServer.ssrLoadModule("virtual:remix/server-build") : import("./build/server/index.js");

// A cluster's primary loads nothing of the app (it stays small); each server process loads and prepares its own.
const initialBuild = supervising ? undefined : await loadBuild();
await initialBuild?.entry.module.prepare();

if (supervising) supervise(webConcurrency);
else serve();

/**
 * The primary of a cluster: starts `count` server processes and keeps that many running. The first migrates the
 * database before it listens, and the others start only then (they find nothing to migrate). One that dies is
 * replaced, unless it died within 10 s of starting (a fault that would only repeat): then all stop, exit code 1.
 */
function supervise(count) {
  let stopping = false;
  let listening = 0;
  const startedAt = new Map();
  const fork = () => startedAt.set(cluster.fork().id, Date.now());
  // Exits with process.exitCode once every server process has ended (or after 6 s).
  const stopAll = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    setTimeout(() => process.exit(), 6000).unref();
  };
  cluster.on("listening", (_worker, address) => {
    if (++listening === 1) for (let i = 1; i < count; i++) fork();
    if (listening === count) console.log(`ICB Access Monitor listening on ${shownUrl(address.port)} (${count} processes)`);
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    const ranMs = Date.now() - (startedAt.get(worker.id) ?? 0);
    console.error(`server process ${worker.process.pid} exited (${signal ?? `code ${code}`})`);
    if (ranMs < 10_000) {
      console.error("it exited within 10 s of starting; stopping");
      process.exitCode = 1;
      stopAll();
      return;
    }
    fork();
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, stopAll);
  fork();
}

/** One server process: this one alone, or one of a cluster's. */
function serve() {
  const app = express();
  app.disable("x-powered-by");
  if (process.env.TRUST_PROXY) {
    const value = process.env.TRUST_PROXY;
    app.set("trust proxy", /^\d+$/.test(value) ? Number(value) : value === "true" ? true : value);
  }

  // A nonce per request for Remix's inline scripts.
  app.use((_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    next();
  });

  app.use(
    helmet({
      contentSecurityPolicy: dev
        ? false
        : {
            useDefaults: false,
            directives: {
              "default-src": ["'self'"],
              "script-src": ["'self'", (_req, res) => `'nonce-${res.locals.cspNonce}'`, "'strict-dynamic'"],
              "style-src": ["'self'", "'unsafe-inline'"],
              "img-src": ["'self'", "data:"],
              "font-src": ["'self'", "https://assets.nhs.uk"],
              "connect-src": ["'self'"],
              "form-action": ["'self'"],
              "frame-ancestors": ["'none'"],
              "base-uri": ["'self'"],
              "object-src": ["'none'"],
            },
          },
      strictTransportSecurity: false,
      referrerPolicy: { policy: "same-origin" },
      crossOriginEmbedderPolicy: false,
      xFrameOptions: { action: "deny" },
    }),
  );

  // HSTS only where it means something: on HTTPS (directly or through a trusted proxy).
  app.use((req, res, next) => {
    if (req.secure) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  });

  // State-changing requests must come from this site's own pages (or be an API call with a bearer token and no cookie).
  const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
  app.use((req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const isTokenApiCall = req.path.startsWith("/api/") && /^Bearer\s/i.test(req.get("authorization") ?? "") && !req.get("cookie");
    if (isTokenApiCall) return next();
    const origin = req.get("origin");
    const site = req.get("sec-fetch-site");
    const expected = `${req.protocol}://${req.get("host")}`;
    const sameOrigin = origin ? origin === expected : site === undefined || site === "same-origin" || site === "none";
    if (!sameOrigin) {
      res.status(403).type("text/plain").send("Cross-site request refused");
      return;
    }
    next();
  });

  // Request bodies are read here, up to MAX_BODY_BYTES, before the app sees them: a larger one is refused with 413
  // whether it says its length (Content-Length) or not (chunked), and nothing of it reaches a loader or action.
  function refuseTooLarge(req, res) {
    res.status(413).set("Connection", "close");
    const message = `The request body is larger than ${maxBodyBytes} bytes`;
    if (req.path.startsWith("/api/")) res.json({ error: message, details: [] });
    else res.type("text/plain").send(message);
    // Discard the rest of the upload (the connection closes after the answer).
    req.resume();
  }

  app.use((req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const declared = req.get("content-length");
    if (declared !== undefined && Number(declared) > maxBodyBytes) return refuseTooLarge(req, res);
    const chunks = [];
    let size = 0;
    let settled = false;
    req.on("data", (chunk) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        settled = true;
        chunks.length = 0;
        refuseTooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => {
      if (settled) return;
      settled = true;
      res.locals.body = Buffer.concat(chunks, size);
      next();
    });
    req.once("error", (error) => {
      if (settled) return;
      settled = true;
      next(error);
    });
  });

  /** The request as the Remix adapter reads it, its body now coming from the buffer read above. */
  function withBufferedBody(req, body) {
    const stream = Readable.from(body.length > 0 ? [body] : []);
    const view = Object.create(req);
    for (const name of ["on", "once", "off", "addListener", "removeListener", "pause", "resume", "read", "pipe", "destroy"]) {
      view[name] = stream[name].bind(stream);
    }
    Object.defineProperty(view, "readable", { get: () => stream.readable });
    Object.defineProperty(view, "readableHighWaterMark", { get: () => stream.readableHighWaterMark });
    return view;
  }

  app.use(compression());

  if (viteDevServer) {
    app.use(viteDevServer.middlewares);
  } else {
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    app.use(express.static("build/client", { maxAge: "1h", index: false }));
  }

  const remixHandler = createRequestHandler({
    build: viteDevServer ? loadBuild : initialBuild,
    mode: process.env.NODE_ENV,
    getLoadContext: (req, res) => ({
      cspNonce: res.locals.cspNonce,
      clientIp: req.ip ?? null,
      secure: req.secure,
    }),
  });
  app.all("*", (req, res, next) => remixHandler(Buffer.isBuffer(res.locals.body) ? withBufferedBody(req, res.locals.body) : req, res, next));

  const server = app.listen(port, host, () => {
    const address = server.address();
    const shown = typeof address === "object" && address ? shownUrl(address.port) : String(address);
    if (!cluster.isWorker) console.log(`ICB Access Monitor listening on ${shown}`);
  });

  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      setTimeout(() => process.exit(0), 5000).unref();
    });
  }
}
