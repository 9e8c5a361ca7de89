/** @module The control panel at /dashboard: live aggregates (a TraceSink), the pure snapshot builder, sessions and the page. */
export { createDashboard, type Dashboard, type DashboardCore, type DashboardOptions, type DashboardSource } from "./handler.ts";
export { dashboardCore } from "./core.ts";
export { quantile, readLiveStats } from "./live-view.ts";
export { LiveStats, type LiveWindow, type LiveStatsOptions, type LiveStatsView, type RouteStats, type ModelStats, type TeamStats } from "./live-stats.ts";
export {
  buildDashboardSnapshot,
  forecastSpend,
  type DashboardInput,
  type DashboardRelease,
  type DashboardSnapshot,
  type FallbackReason,
  type MemberRole,
  type ModelView,
  type RouteMember,
  type RouteView,
  type TeamView,
} from "./snapshot.ts";
export { SessionKeys, SESSION_COOKIE, clearSessionCookie, readCookie } from "./session.ts";
export { composePage, dashboardPage, loginPage, noticePage, type PageAsset } from "./page.ts";
