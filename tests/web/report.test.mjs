// Browser test of the pipeline report: runs `dataopt pipeline` on a few
// hundred Fashion-MNIST images (a few iterations per stage), opens
// DIR/report.html from disk in Debian's chromium (headless, through
// playwright-core) with the network cut off, and checks that every section
// renders with its pictures. Exits 77 (skipped) without /usr/bin/chromium,
// node_modules or the Debian data set.
//
//   node tests/web/report.test.mjs build/bin/dataopt /tmp/report-test
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SKIP = 77;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const [dataopt, work = '/tmp/dataopt-report-test'] = process.argv.slice(2);
const screenshot = process.env.REPORT_SCREENSHOT || '/tmp/report.png';

function check(cond, msg) {
  if (!cond) {
    console.error(`FAIL: ${msg}`);
    process.exit(1);
  }
  console.log(`ok: ${msg}`);
}

if (!dataopt || !fs.existsSync(dataopt)) {
  console.error(`usage: node report.test.mjs path/to/dataopt [workdir] (got '${dataopt}')`);
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} is missing (scripts/setup.sh installs chromium)`);
  process.exit(SKIP);
}
if (!fs.existsSync('/usr/share/datasets/fashion-mnist')) {
  console.log('SKIP: Debian dataset-fashion-mnist is not installed');
  process.exit(SKIP);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.log('SKIP: playwright-core is missing (run `npm ci` in tests/web)');
  process.exit(SKIP);
}

fs.rmSync(work, { recursive: true, force: true });
const out = path.join(work, 'pipeline');
const run = spawnSync(dataopt, [
  'pipeline', '--data', 'fashion-mnist', '--train-size', '300', '--test-size', '100',
  '--noise-rate', '0.1', '--epochs', '6', '--batch-size', '32', '--lr', '0.05', '--width', '16', '--seeds', '2',
  '--ipc', '1', '--condense-minutes', '0.01', '--eval-epochs', '2', '--mix-epochs', '1',
  '--threads', '2', '--quiet', '--out', out], { encoding: 'utf8' });
if (run.status !== 0) console.error(run.stdout, run.stderr);
check(run.status === 0, 'dataopt pipeline ran');
check(/report: .*report\.html/.test(run.stdout), 'it printed the path of the report');
const report = path.join(out, 'report.html');
check(fs.existsSync(report), 'report.html exists');

const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ offline: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + report, { waitUntil: 'load' });

  const sections = await page.$$eval('h2', (hs) => hs.map((h) => h.id));
  check(sections.length === 7, `7 sections (summary + 6 stages): ${sections.join(', ')}`);
  for (const id of ['stage-train', 'stage-audit', 'stage-clean', 'stage-retrain', 'stage-condense', 'stage-mix']) {
    const text = await page.$eval(`#${id}`, (h) => {
      let t = '';
      for (let n = h.nextElementSibling; n && n.tagName !== 'H2'; n = n.nextElementSibling) t += n.textContent;
      return t;
    });
    check(text.length > 40 && !/Not run yet/.test(text), `section ${id} has content`);
  }
  const imgs = await page.$$eval('img', (xs) => xs.map((x) => ({ ok: x.complete && x.naturalWidth > 0, alt: x.alt })));
  check(imgs.length === 3, `3 pictures (${imgs.map((i) => i.alt).join('; ')})`);
  check(imgs.every((i) => i.ok), 'every picture decoded');
  const rows = await page.$$eval('#summary + table tr', (trs) => trs.length);
  check(rows === 5, 'the summary table has a row per model (4) and a header');
  check(await page.$eval('#gain', (p) => /Cleaning (raised|did not raise) test accuracy/.test(p.textContent)),
        'the headline states the gain from cleaning');
  check(await page.$$eval('svg polyline', (ps) => ps.length) === 3, 'the precision curves are drawn (nrg, nrg_loss, loss)');
  check(requests.length === 0, `no network requests (${requests.join(', ')})`);
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
}
