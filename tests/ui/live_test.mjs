// The Live page of a running `mmhost serve` in headless Chromium: the paced replay session
// `NAME` shows, Halt makes it halted and Resume active again (each checked on the page as it
// refreshes), at 1280x800 and 390 px wide, with every console, page and HTTP error collected.
// Prints one JSON object. Usage: node live_test.mjs URL TOKEN OUT_DIR NAME
import { createRequire } from 'node:module';

const { chromium } = createRequire(import.meta.url)('playwright-core');
const [url, token, outDir, name] = process.argv.slice(2);
const result = { errors: [], pages: [] };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => result.errors.push(`page: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) result.errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(`${url}/#/live`);
  await page.fill('.token input', token);
  await page.click('.token button');
  const session = page.locator(`section.session[data-name="${name}"]`);
  await session.locator('.status.state-active').waitFor();
  result.equity = await session.locator('.figure b').first().textContent();
  await page.screenshot({ path: `${outDir}/live-1280.png`, fullPage: true });
  result.pages.push('live-1280');
  await session.locator('button.halt').click();
  await session.locator('.status.state-halted').waitFor({ timeout: 10000 });
  result.halted = true;
  result.halt_note = await session.locator('.note').textContent();
  await session.locator('button.resume').click();
  await session.locator('.status.state-active').waitFor({ timeout: 10000 });
  result.resumed = true;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  result.phone_overflow_px = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: `${outDir}/live-390.png`, fullPage: true });
  result.pages.push('live-390');
} catch (e) {
  result.errors.push(`test: ${e.message}`);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
