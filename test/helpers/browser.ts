import fs from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.MODALITY_STUDIO_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium driven by playwright-core (no browser download). Console errors and failed requests
 * are collected: a Content-Security-Policy violation or a broken asset fails the test that checks them.
 */
export async function openBrowser(
  profileDir: string,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `The end-to-end tests drive Debian's Chromium at ${CHROMIUM}, which is not installed. Install it with \`sudo apt-get install -y chromium\` (.ci/run does), or point MODALITY_STUDIO_CHROMIUM at another Chromium.`,
    );
  }
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // The event stream is cut when the page closes, and a call still in flight when a test navigates away is
    // aborted by the browser (net::ERR_ABORTED): neither is a failure of the app. Assets must all load.
    const aborted = request.failure()?.errorText === 'net::ERR_ABORTED' && request.url().includes('/api/call/');
    if (!request.url().includes('/api/events') && !aborted)
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  return { context, page, problems };
}
