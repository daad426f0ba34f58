// Drives the web UI of a running `mmhost serve` in Debian's headless Chromium (browser.mjs):
// the runs table, a backtest started from the New run
// form and followed to done, its page's header against the API's summary.json, events filtered,
// two runs compared, a sweep's Pareto point hovered and clicked, at 1280x800 and at a 390-pixel
// phone width, with every console, page and HTTP error collected (browser.mjs). Screenshots go
// to OUT_DIR. Prints one JSON object; the doctest asserts on it.
// Usage: node ui_test.mjs URL TOKEN OUT_DIR
import { runInBrowser } from './browser.mjs';

const [url, token, outDir] = process.argv.slice(2);
await runInBrowser(outDir, async ({ page, shot, result }) => {
  // Runs: the table lists the run the test submitted through the API.
  await page.goto(`${url}/#/runs`);
  await page.waitForSelector('table.runs tbody tr');
  result.runs_rows = await page.locator('table.runs tbody tr').count();
  await shot('runs-1280');

  // New run: the token, then the form with its defaults; the page follows the run to done.
  await page.goto(`${url}/#/new`);
  await page.fill('.token input', token);
  await page.click('.token button');
  await page.fill('input[name=name]', 'ui week');
  await page.fill('input[name=start]', '2025-06-01');
  await page.fill('input[name=end]', '2025-06-08');
  // A core parameter from the catalog: out of its range it blocks the start, in range it goes.
  await page.click('button.add-param');
  await page.selectOption('select.param-name', 'grid.levels');
  result.param_info = await page.locator('.param-row .muted').textContent();
  await page.fill('input.param-value', '999');
  result.param_error = await page.locator('.param-error').textContent();
  result.start_disabled_when_wrong = await page.locator('button.start').isDisabled();
  await page.fill('input.param-value', '6');
  result.param_error_after = await page.locator('.param-error').count();
  result.command = await page.textContent('pre.command');
  await shot('new-1280');
  await page.click('button.start');
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
  result.argv = (await (await fetch(`${url}/runs/${id}`)).json()).argv;
  result.files = await page.locator('ul.files li a').allTextContents();
  await page.waitForSelector('table.fills tbody tr');
  result.fills_table_rows = await page.locator('table.fills tbody tr').count();
  result.report_frame = await page.locator('iframe.report').count();
  // The report draws once its frame is in view (a browser paints no hidden frame).
  await page.locator('iframe.report').scrollIntoViewIfNeeded();
  const report = page.frames().find((f) => f.url().includes('/artifacts/report.html'));
  await report.waitForFunction(() => document.body.getAttribute('data-rendered') === 'yes', null, { timeout: 30000 });
  result.report_errors = Number(await report.evaluate(() => document.body.getAttribute('data-errors')));
  await shot('run-1280');

  // Events filtered by kind.
  await page.selectOption('section select', 'fill');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.events tbody tr td:nth-child(2)')].every((td) => td.textContent === 'fill') &&
    document.querySelectorAll('.events tbody tr').length > 0);
  result.fill_rows = await page.locator('.events tbody tr').count();

  // Compare: the seed run and the one the form started, both with equity curves.
  const seedId = process.env.SEED_RUN;
  await page.goto(`${url}/#/compare?ids=${seedId},${id}`);
  await page.waitForSelector('table.compare');
  await page.waitForSelector('.chart canvas');
  result.compare_differs = await page.locator('h2:has-text("Settings that differ") + div table tbody tr td:first-child').allTextContents();
  // Each difference from the first run: its figure, sign, verdict and colour.
  result.compare_diffs = await page.evaluate(() => [...document.querySelectorAll('table.compare span.diff')].map((s) => ({
    row: s.closest('tr').querySelector('td').textContent,
    diff: Number(s.dataset.diff),
    verdict: s.dataset.verdict,
    cls: s.className,
  })));
  await shot('compare-1280');

  // A sweep: its scatter and Pareto front; a click on a front point opens that run.
  const sweep = await (await fetch(`${url}/runs`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}` },
    body: JSON.stringify({ kind: 'sweep', name: 'ui sweep', data: process.env.SWEEP_DATA, htf_interval: 5,
      ltf_interval: 1, start: '2025-06-01', end: '2025-06-04', grid: { 'grid.step_atr': [0.2, 0.4, 0.6], 'grid.levels': [2, 4] } }),
  })).json();
  for (let i = 0; i < 240; ++i) {
    const s = await (await fetch(`${url}/runs/${sweep.id}`)).json();
    if (s.status === 'done') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await page.goto(`${url}/#/runs?kind=sweep`);
  await page.click(`a[href="#/sweep/${sweep.id}"]`);
  await page.waitForFunction(() => document.querySelectorAll('.chart.scatter canvas').length === 2 &&
    document.querySelectorAll('table.sweep-runs tbody tr').length === 6);
  result.sweep_rows = await page.locator('table.sweep-runs tbody tr').count();
  result.sweep_front_rows = await page.locator('table.sweep-runs tbody tr.front').count();
  // The tick labels each scatter axis shows (uPlot keeps them per axis): none repeated.
  result.scatter_ticks = await page.evaluate(() => [...document.querySelectorAll('.chart.scatter')].flatMap(
    (el) => el.mmhScatter.plot.axes.map((a) => (a._values || []).filter((v) => v !== ''))));
  await shot('sweep-1280');
  await page.locator('.chart.scatter').nth(1).scrollIntoViewIfNeeded();
  const target = await page.evaluate(() => {
    const el = document.querySelectorAll('.chart.scatter')[1];
    const { plot, points } = el.mmhScatter;
    const p = points.find((q) => q.li === 1);  // a point of the front
    const box = plot.over.getBoundingClientRect();
    return { x: box.left + plot.valToPos(p.x, 'x'), y: box.top + plot.valToPos(p.y, 'y'), ref: p.ref };
  });
  await page.mouse.move(target.x - 30, target.y - 30);
  await page.mouse.move(target.x, target.y, { steps: 5 });
  await page.locator('.chart.scatter').nth(1).locator('.scatter-tip').waitFor({ state: 'visible' });
  result.tip = await page.locator('.chart.scatter').nth(1).locator('.scatter-tip').textContent();
  await page.mouse.click(target.x, target.y);
  await page.waitForURL(new RegExp(`#/run/${target.ref}$`));
  result.picked = target.ref;
  result.picked_is_front = await page.evaluate(async (ref) =>
    (await (await fetch(`/runs/${ref}`)).json()).parent_id, target.ref);
  // Two ticked runs of the sweep compared: their parameters differ.
  await page.goto(`${url}/#/sweep/${sweep.id}`);
  await page.waitForSelector('table.sweep-runs tbody tr');
  await page.locator('table.sweep-runs tbody tr input[type=checkbox]').nth(0).check();
  await page.locator('table.sweep-runs tbody tr input[type=checkbox]').nth(1).check();
  await page.click('button:has-text("Compare 2 ticked")');
  await page.waitForSelector('table.compare');
  result.sweep_compare_differs = await page.locator('h2:has-text("Settings that differ") + div table tbody tr td:first-child').allTextContents();
  result.sweep_id = sweep.id;

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
  // The other pages at the phone's width too.
  result.phone_other_overflow_px = {};
  for (const [name, hash, ready] of [
    ['new', '#/new', 'button.start'],
    ['sweep', `#/sweep/${result.sweep_id}`, '.chart.scatter canvas'],
    ['compare', `#/compare?ids=${seedId},${id}`, 'table.compare'],
  ]) {
    await page.goto(`${url}/${hash}`);
    await page.waitForSelector(ready);
    result.phone_other_overflow_px[name] = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await shot(`${name}-390`);
  }
});
