/** Port of the built browser-test harness (tests/e2e/harness). */
export declare const HARNESS_PORT = 4317;
/** Port of the Supabase emulator the browser suites sync through (in-memory database). */
export declare const E2E_SUPABASE_PORT = 54330;
/** Ports of the chat app's e2e suite (apps/chat/e2e): its own emulator, and the built app. */
export declare const CHAT_SUPABASE_PORT = 54371;
export declare const CHAT_APP_PORT = 4371;
declare const _default: import("playwright/test").PlaywrightTestConfig<{}, {}>;
export default _default;
//# sourceMappingURL=playwright.config.d.ts.map