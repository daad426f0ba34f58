// What the browser tests share: Debian's headless Chromium through playwright-core (pinned from
// npm by tests/CMakeLists.txt, found through NODE_PATH), one 1280x800 page whose console errors,
// page errors and HTTP errors all land in result.errors, full-page screenshots into OUT_DIR, and
// the result printed as one JSON line for the doctest (a thrown error is one more entry).
import { createRequire } from 'node:module';

// require() (unlike import) looks in NODE_PATH: the build directory's node_modules.
const { chromium } = createRequire(import.meta.url)('playwright-core');

export async function runInBrowser(outDir, body) {
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
    const shot = async (name) => {
      await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
      result.pages.push(name);
    };
    await body({ page, shot, result });
  } catch (e) {
    result.errors.push(`test: ${e.message}`);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result));
}
