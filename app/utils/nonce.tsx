import { createContext, useContext } from "react";

// The CSP nonce is set by the server for each document; in the browser it is not needed (and browsers hide it).
export const NonceContext = createContext<string>("");
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
