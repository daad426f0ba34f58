// The Live page of a running `mmhost serve` in headless Chromium: the paced replay session
// `NAME` shows, Halt makes it halted and Resume active again (each checked on the page as it
// refreshes), at 1280x800 and 390 px wide, with every console, page and HTTP error collected.
// Prints one JSON object. Usage: node live_test.mjs URL TOKEN OUT_DIR NAME
import { runInBrowser } from './browser.mjs';

const [url, token, outDir, name] = process.argv.slice(2);
await runInBrowser(outDir, async ({ page, shot, result }) => {
  await page.goto(`${url}/#/live`);
  await page.fill('.token input', token);
  await page.click('.token button');
  const session = page.locator(`section.session[data-name="${name}"]`);
  await session.locator('.status.state-active').waitFor();
  result.equity = await session.locator('.figure b').first().textContent();
  await shot('live-1280');
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
  await shot('live-390');
});
