// Headless Chromium for the tests of pages bpfscript writes (flame graphs, the --explain page):
// Debian's installed browser driven by playwright-core, with no network of its own.

export interface Browser {
  newPage(o: object): Promise<Page>;
  close(): Promise<void>;
}
export interface Page {
  goto(url: string): Promise<unknown>;
  on(event: string, f: (arg: never) => void): void;
  screenshot(o: object): Promise<unknown>;
  evaluate<T>(f: string): Promise<T>;
  hover(selector: string): Promise<void>;
  click(selector: string): Promise<void>;
  mouse: { click(x: number, y: number): Promise<void>; move(x: number, y: number): Promise<void> };
  keyboard: { press(key: string): Promise<void> };
  setDefaultTimeout(ms: number): void;
}

export function launchChromium(): Promise<Browser> {
  let playwright: { chromium: { launch(o: object): Promise<Browser> } };
  try {
    playwright = require('playwright-core');
  } catch {
    throw new Error('playwright-core is missing: it is a devDependency, run `npm install`');
  }
  return playwright.chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    // Playwright gives the browser a fresh temporary profile (--user-data-dir) of its own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Runs `use` on a fresh browser, closed afterwards, and by a watchdog should `use` hang. */
export async function withChromium<T>(use: (b: Browser) => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const browser = await launchChromium();
  const watchdog = setTimeout(() => void browser.close(), timeoutMs);
  try {
    return await use(browser);
  } finally {
    clearTimeout(watchdog);
    await browser.close();
  }
}
