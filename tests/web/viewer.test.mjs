// Browser test of `dataopt view`: writes a small labelled set as .npy files,
// audits it with `dataopt audit --features ...`, serves the result with
// `dataopt view --port 0`, and drives Debian's chromium (headless, through
// playwright-core) over the page: it loads, the canvas shows points, a click
// shows an example's details, and a relabel decision appears in the
// exported CSV. Exits 77 (skipped) without /usr/bin/chromium or
// node_modules (run `npm ci` in tests/web).
//
//   node tests/web/viewer.test.mjs build/bin/dataopt /tmp/viewer-test
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SKIP = 77;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const [dataopt, work = '/tmp/dataopt-viewer-test'] = process.argv.slice(2);
const screenshot = process.env.VIEWER_SCREENSHOT || '/tmp/viewer.png';

function fail(msg) {
  console.error(`FAIL: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}
function check(cond, msg) {
  if (!cond) fail(msg);
  console.log(`ok: ${msg}`);
}

if (!dataopt || !fs.existsSync(dataopt)) {
  console.error(`usage: node viewer.test.mjs path/to/dataopt [workdir] (got '${dataopt}')`);
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} is missing (scripts/setup.sh installs chromium)`);
  process.exit(SKIP);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.log('SKIP: playwright-core is missing (run `npm ci` in tests/web)');
  process.exit(SKIP);
}

// ---- a small data set as .npy ---------------------------------------------
function npy(file, descr, shape, typed) {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'),
                                        Buffer.from(typed.buffer)]));
}

function rng(seed) {  // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const N = 400, D = 16, C = 4;
const rand = rng(7);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const centres = Array.from({ length: C }, () => Array.from({ length: D }, () => 2 * gauss()));
const feats = new Float32Array(N * D), probs = new Float32Array(N * C);
const labels = new BigInt64Array(N), truth = new BigInt64Array(N), images = new Uint8Array(N * 64);
for (let i = 0; i < N; ++i) {
  const y = i % C;
  for (let d = 0; d < D; ++d) feats[i * D + d] = centres[y][d] + 0.8 * gauss();
  const logits = centres.map((c) => -c.reduce((s, v, d) => s + (v - feats[i * D + d]) ** 2, 0) / 8);
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const z = e.reduce((a, b) => a + b, 0);
  e.forEach((v, c) => { probs[i * C + c] = v / z; });
  const noisy = rand() < 0.1;
  labels[i] = BigInt(noisy ? (y + 1 + Math.floor(rand() * (C - 1))) % C : y);
  truth[i] = noisy ? 1n : 0n;
  for (let p = 0; p < 64; ++p) images[i * 64 + p] = ((p >> 3) === 2 * y || (p >> 3) === 2 * y + 1) ? 230 : 20;
}
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const f = (name) => path.join(work, name);
npy(f('features.npy'), '<f4', [N, D], feats);
npy(f('probs.npy'), '<f4', [N, C], probs);
npy(f('labels.npy'), '<i8', [N], labels);
npy(f('truth.npy'), '<i8', [N], truth);

const out = f('audit');
const audit = spawnSync(dataopt, ['audit', '--features', f('features.npy'), '--probs', f('probs.npy'),
                                  '--labels', f('labels.npy'), '--truth', f('truth.npy'),
                                  '--threads', '1', '--quiet', '--out', out], { encoding: 'utf8' });
check(audit.status === 0, `dataopt audit succeeds (${audit.stderr.trim()})`);
for (const name of ['scores.csv', 'summary.json', 'embedding.npy', 'partners_index.npy', 'partners_value.npy']) {
  check(fs.existsSync(path.join(out, name)), `audit wrote ${name}`);
}
npy(path.join(out, 'images.npy'), '|u1', [N, 8, 8], images);  // files mode has no images

// ---- the server ------------------------------------------------------------
const servers = [];
async function serve(dir) {
  const proc = spawn(dataopt, ['view', dir, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no address printed: ${text}${err}`)), 60000);
    proc.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/dataopt view: serving .* at (http:\/\/\S+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => reject(new Error(`dataopt view exited (${code}): ${err}`)));
  });
}
const url = await serve(out);
console.log(`ok: server at ${url}`);

// A 60,000-point directory written directly (no audit): the page must stay
// responsive at Fashion-MNIST scale.
function writeBigDir(dir, n) {
  fs.mkdirSync(dir, { recursive: true });
  const r = rng(3), xy = new Float32Array(2 * n);
  const lines = ['index,given_label,predicted_label,nrg,loss'];
  for (let i = 0; i < n; ++i) {
    const c = i % 10;
    xy[2 * i] = 5 * Math.cos(c) + gaussBig(r); xy[2 * i + 1] = 5 * Math.sin(c) + gaussBig(r);
    lines.push(`${i},${c},${r() < 0.9 ? c : (c + 1) % 10},${r().toFixed(5)},${(3 * r()).toFixed(5)}`);
  }
  fs.writeFileSync(path.join(dir, 'scores.csv'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ settings: { mode: 'synthetic' } }));
  npy(path.join(dir, 'embedding.npy'), '<f4', [n, 2], xy);
}
function gaussBig(r) { return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()); }

const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(url)) external.push(r.url()); });

  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  check(true, 'the page loads');

  // Points on the canvas: count non-white pixels.
  const painted = await page.evaluate(() => {
    const c = document.getElementById('map');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) ++n;
    return n;
  });
  check(painted > N, `the canvas shows points (${painted} painted pixels)`);
  check(await page.locator('#suspects li').count() === 100, 'the suspect list has 100 rows');

  // Click the top suspect's point on the map.
  const target = await page.evaluate(() => {
    const i = window.viewer.state.suspects[0];
    const [px, py] = window.viewer.project(i);
    const r = document.getElementById('map').getBoundingClientRect();
    return { i, x: r.left + px / devicePixelRatio, y: r.top + py / devicePixelRatio,
             given: window.viewer.state.pts.given[i] };
  });
  await page.mouse.click(target.x, target.y);
  await page.waitForSelector(`#details[data-index="${target.i}"]`, { timeout: 10000 });
  const details = await page.locator('#details').innerText();
  check(details.includes(`Example ${target.i}`), `clicking a point shows example ${target.i}`);
  check(await page.locator('#details .partner').count() > 0, 'the details list partners');
  check(await page.locator('#relation-map').count() === 1, 'the details draw a relation map');
  const imgOk = await page.locator('#details .top img').evaluate((img) =>
    img.complete ? img.naturalWidth : new Promise((r) => { img.onload = () => r(img.naturalWidth); }));
  check(imgOk === 32, `the example's thumbnail loads (${imgOk} px wide)`);

  // Relabel to another class and export.
  const newLabel = (target.given + 1) % C;
  await page.selectOption('#relabel-class', String(newLabel));
  await page.click('#btn-relabel');
  await page.waitForFunction((i) => window.viewer.state.decisions.get(i)?.action === 'relabel', target.i);
  const csv = await page.evaluate(async () => (await fetch('api/export.csv')).text());
  check(csv.split('\n')[0] === 'index,label,action', 'the export has the header index,label,action');
  check(csv.includes(`\n${target.i},${newLabel},relabel\n`),
        `the exported CSV has the relabel row ${target.i},${newLabel},relabel`);
  const saved = fs.readFileSync(path.join(out, 'decisions.csv'), 'utf8');
  check(saved.includes(`${target.i},${newLabel},relabel`), 'DIR/decisions.csv has the row');
  await page.screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);
  check(errors.length === 0, `no errors in the page (${errors.join('; ')})`);
  check(external.length === 0, `no requests outside the server (${external.join(', ')})`);
  const bad = await page.evaluate(async () => (await fetch('api/decision', {
    method: 'POST', body: JSON.stringify({ index: 1e9, action: 'keep' }) })).status);
  check(bad === 400, 'a bad decision is refused with 400');

  // Scale: 60,000 points.
  const big = f('big');
  writeBigDir(big, 60000);
  const bigUrl = await serve(big);
  const t0 = Date.now();
  await page.goto(bigUrl);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  const loadMs = Date.now() - t0;
  const timing = await page.evaluate(() => {
    const v = window.viewer;
    let t = performance.now();
    for (let k = 0; k < 5; ++k) v.draw();
    const draw = (performance.now() - t) / 5;
    t = performance.now();
    v.nearest(300, 300, 20);
    const pick = performance.now() - t;
    const sel = document.getElementById('color-by');
    t = performance.now();
    sel.value = 'nrg';
    sel.dispatchEvent(new Event('change'));
    const recolor = performance.now() - t;
    return { draw, pick, recolor, n: v.state.n };
  });
  console.log(`60k: load ${loadMs} ms, redraw ${timing.draw.toFixed(1)} ms, ` +
              `pick ${timing.pick.toFixed(1)} ms, recolour ${timing.recolor.toFixed(1)} ms`);
  check(timing.n === 60000, 'the page holds 60,000 points');
  check(timing.draw < 500 && timing.pick < 200 && timing.recolor < 1500,
        'redraw, pick and recolour at 60,000 points are interactive');
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-60k.png') });
} finally {
  await browser.close();
  for (const p of servers) p.kill('SIGTERM');
}
console.log(process.exitCode ? 'FAILED' : 'PASSED');
