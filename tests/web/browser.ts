/**
 * A real browser for the web page's end-to-end tests: Debian's chromium (apt-get install -y
 * chromium; .ci/run installs it) driven by playwright-core, which downloads no browser of its
 * own. Where chromium is missing the suites are skipped, saying so in their title.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The browser: FACEVAULT_CHROMIUM, default Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.FACEVAULT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Screenshots of each page land here (gitignored); two are copied into docs/screenshots by hand. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts', 'web');

/** A suite title: `label`, or `label — SKIPPED: why` when there is no browser to drive. */
export function browserSuite(label: string): { readonly available: boolean; readonly title: string } {
  if (existsSync(CHROMIUM)) return { available: true, title: `${label} (${CHROMIUM})` };
  return { available: false, title: `${label} — SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium, or set FACEVAULT_CHROMIUM)` };
}

/** Builds web/ into dist/web, where the server started from the sources serves it (src/server/web-page.ts). */
export function buildWebPage(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'web', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'pipe' });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export interface Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every URL the page requested: the page must reach nothing but its own server. */
  readonly requested: string[];
  /** Exceptions the page's script threw and did not catch (failed requests are expected and shown, not thrown). */
  readonly pageErrors: string[];
}

/** A fresh tab (its own sessionStorage) of the given size. */
export async function openTab(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Tab> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requested: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page, requested, pageErrors };
}

/** Saves a full-page screenshot as test-artifacts/web/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
