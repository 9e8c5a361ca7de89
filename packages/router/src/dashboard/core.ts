/** @module The router's own parts the dashboard handler is given (see DashboardCore): bundled with the router's core, never with the dashboard. */
import { AdminAttempts, checkAdminAccess } from "../admin/attempts.ts";
import { RouterError } from "../errors.ts";
import { readBody } from "../http/read-body.ts";
import type { DashboardCore } from "./handler.ts";
import { LiveStats } from "./live-stats.ts";

/** What `createDashboard` is given as `core` by the router (mountDashboard) and by anyone embedding the dashboard. */
export const dashboardCore: DashboardCore = { RouterError, readBody, checkAdminAccess, AdminAttempts, LiveStats };
