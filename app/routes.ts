import type { RouteConfig } from "@remix-run/route-config";
import { flatRoutes } from "@remix-run/fs-routes";

// Routes are files under app/routes, named by Remix's flat-routes convention.
export default flatRoutes() satisfies RouteConfig;
