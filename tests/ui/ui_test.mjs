// Drives the web UI of a running `mmhost serve` in Debian's headless Chromium (playwright-core,
// pinned from npm by cmake/WebUi.cmake): the runs table, a backtest started from the New run
// form and followed to done, its page's header against the API's summary.json, the runs table
// filtered, at 1280x800 and at a 390-pixel phone width, with every console error and page error
// collected. Screenshots go to OUT_DIR. Prints one JSON object; the doctest asserts on it.
// Usage: node ui_test.mjs URL TOKEN OUT_DIR
// require() (unlike import) looks in NODE_PATH: the build directory's node_modules.
import { createRequire } from 'node:module';

const { chromium } = createRequire(import.meta.url)('playwright-core');

const [url, token, outDir] = process.argv.slice(2);
const result = { errors: [], pages: [] };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => result.errors.push(`page: ${e.message}`));
  const shot = async (name) => {
    await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
    result.pages.push(name);
  };

  // Runs: the table lists the run the test submitted through the API.
  await page.goto(`${url}/#/runs`);
  await page.waitForSelector('table.runs tbody tr');
  result.runs_rows = await page.locator('table.runs tbody tr').count();
  await shot('runs-1280');

  // New run: the token, then the form with its defaults; the page follows the run to done.
  await page.goto(`${url}/#/new`);
  await page.fill('.token input', token);
  await page.click('.token button');
  result.command = await page.textContent('pre.command');
  await page.fill('input[name=name]', 'ui week');
  await page.fill('input[name=start]', '2025-06-01');
  await page.fill('input[name=end]', '2025-06-08');
  await shot('new-1280');
  await page.click('form.grid button[type=submit]');
  await page.waitForURL(/#\/run\/[0-9a-f]+$/);
  const id = page.url().split('/').pop();
  result.submitted = id;
  await page.waitForSelector('.status.done', { timeout: 60000 });
  await page.waitForSelector('.figures');
  await page.waitForSelector('.chart canvas');
  const figures = {};
  for (const f of await page.locator('.figure').all())
    figures[await f.locator('span').textContent()] = await f.locator('b').textContent();
  result.figures = figures;
  result.metrics = await (await fetch(`${url}/runs/${id}/metrics`)).json();
  result.files = await page.locator('ul.files li a').allTextContents();
  await shot('run-1280');

  // Events filtered by kind.
  await page.selectOption('section select', 'fill');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.events tbody tr td:nth-child(2)')].every((td) => td.textContent === 'fill') &&
    document.querySelectorAll('.events tbody tr').length > 0);
  result.fill_rows = await page.locator('.events tbody tr').count();

  // A phone: nothing wider than the screen but the tables' own scrolling boxes.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${url}/#/runs`);
  await page.waitForSelector('table.runs tbody tr');
  result.phone_overflow_px = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot('runs-390');
  await page.goto(`${url}/#/run/${id}`);
  await page.waitForSelector('.figures');
  result.phone_run_overflow_px = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot('run-390');
} catch (e) {
  result.errors.push(`test: ${e.message}`);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
