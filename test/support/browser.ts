import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (scripts/bootstrap.sh installs it); Playwright's own browser downloads are unreachable here. */
export const CHROMIUM = process.env.OPENRUNNER_CHROMIUM ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialing Google's hosts, which this
// machine's closed network refuses; the sandbox needs privileges a root CI run lacks.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface BrowserOptions {
  viewport?: { width: number; height: number };
  /**
   * Domains whose every subdomain resolves to 127.0.0.1 in this browser only (a service's
   * ServiceUrl, so its default domain link opens through the data plane without touching DNS).
   */
  loopbackDomains?: string[];
}

/** Headless Chromium with a fresh profile, one page at laptop size; close() removes everything. */
export async function launchBrowser(opts: BrowserOptions = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "openrunner-chromium-"));
  const viewport = opts.viewport ?? { width: 1280, height: 800 };
  const rules = (opts.loopbackDomains ?? []).map((d) => `MAP *.${d} 127.0.0.1`);
  const args = rules.length > 0 ? [...ARGS, `--host-resolver-rules=${rules.join(",")}`] : ARGS;
  let context: BrowserContext | undefined;
  try {
    // A persistent context is how Playwright takes a user-data-dir of our choosing.
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args, headless: true, viewport });
    const page = context.pages()[0] ?? (await context.newPage());
    const ctx = context;
    return {
      context: ctx,
      page,
      async close() {
        await ctx.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

export type { Browser, Page };

/** A PNG screenshot of the viewport for docs/console/, checked to stay small enough to commit. */
export async function screenshot(page: Page, file: string, maxBytes = 300_000): Promise<number> {
  await page.screenshot({ path: file, type: "png", animations: "disabled", caret: "hide" });
  const size = statSync(file).size;
  if (size > maxBytes) throw new Error(`${file} is ${size} bytes, over ${maxBytes}`);
  return size;
}
