// What the HTTP server hands every loader and action (see server.js, getLoadContext).
declare module "@remix-run/node" {
  interface AppLoadContext {
    /** A fresh nonce per request, allowed by the Content-Security-Policy for Remix's own inline scripts. */
    cspNonce?: string;
    /** The client's address (the proxy's forwarded address when TRUST_PROXY is set). */
    clientIp?: string | null;
    /** True when the request reached us over HTTPS (directly or through a trusted proxy). */
    secure?: boolean;
  }
}

export {};
