/**
 * @module The Messages dialect, loaded on the first `/v1/messages` request: in router.mjs `import("./dialect.ts")`
 * unpacks a brotli-compressed chunk (packages/compiler/src/emit/router-bundle.ts, MESSAGES_CHUNK), so releases whose
 * clients never call it do not pay for parsing it.
 */
import type { MessagesCore, MessagesDialect } from "./dialect.ts";

export type { MessagesCore, MessagesDialect } from "./dialect.ts";

let loading: Promise<MessagesDialect> | undefined;

/** The dialect, made once with the router's parts. */
export function loadMessagesDialect(core: MessagesCore): Promise<MessagesDialect> {
  return (loading ??= import("./dialect.ts").then(({ createMessagesDialect }) => createMessagesDialect(core)));
}
