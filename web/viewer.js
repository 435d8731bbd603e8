// dataopt view: the page. One canvas draws every example as a few pixels of
// an ImageData buffer (60,000 points redraw in milliseconds); suspects get a
// ring; a click picks the nearest point and shows its details, partners and
// relation map; decisions go to the server (POST api/decision).
'use strict';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
                 '#7f7f7f', '#bcbd22', '#17becf'];
const GRADIENT = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const N_SUSPECTS = 100;

const state = {
  summary: null, pts: null, n: 0,
  colorBy: 'given', rankBy: 'nrg',
  selected: -1, suspects: [], ringed: new Set(),
  decisions: new Map(),          // index -> {label, action}
  view: { k: 1, tx: 0, ty: 0 },  // pan/zoom on top of the fitted map
  base: null,                    // fitted map: screen = (x - cx) * s + w / 2
  rgb: null,                     // Uint32 colour per point
};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

function classColor(c) {
  if (c < PALETTE.length) return PALETTE[c];
  return `hsl(${(c * 137.5) % 360}, 60%, 50%)`;
}
function cssToRgb(css) {
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.fillStyle = css;
  ctx.fillRect(0, 0, 1, 1);
  return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
}
function gradient(t) {
  const f = Math.min(Math.max(t, 0), 1) * (GRADIENT.length - 1);
  const i = Math.min(Math.floor(f), GRADIENT.length - 2), u = f - i;
  return GRADIENT[i].map((a, j) => Math.round(a + (GRADIENT[i + 1][j] - a) * u));
}
const pack = ([r, g, b]) => (255 << 24) | (b << 16) | (g << 8) | r;  // little-endian RGBA
const className = (c) => state.summary.class_names[c] ?? String(c);
const fmt = (x) => (Math.abs(x) >= 100 || (Math.abs(x) < 1e-3 && x !== 0)) ? x.toExponential(2)
                                                                           : x.toFixed(3);

async function getJson(url, options) {
  const r = await fetch(url, options);
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

// ---- colours and ranking -------------------------------------------------
function computeColors() {
  const { pts, n } = state;
  state.rgb = new Uint32Array(n);
  if (state.colorBy === 'given' || state.colorBy === 'predicted') {
    const lab = pts[state.colorBy];
    const table = state.summary.class_names.map((_, c) => pack(cssToRgb(classColor(c))));
    for (let i = 0; i < n; ++i) state.rgb[i] = table[lab[i]] ?? pack([0, 0, 0]);
  } else {
    // Rank-based gradient: skewed scores still use the whole colour range.
    const s = pts.scores[state.colorBy];
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a] - s[b]);
    for (let r = 0; r < n; ++r) state.rgb[order[r]] = pack(gradient(r / Math.max(1, n - 1)));
  }
  drawLegend();
}

function computeSuspects() {
  const s = state.pts.scores[state.rankBy];
  const order = Array.from({ length: state.n }, (_, i) => i).sort((a, b) => s[b] - s[a]);
  state.suspects = order.slice(0, Math.min(N_SUSPECTS, state.n));
  state.ringed = new Set(state.suspects);
}

function drawLegend() {
  const lg = $('legend');
  lg.textContent = '';
  if (state.colorBy === 'given' || state.colorBy === 'predicted') {
    state.summary.class_names.forEach((name, c) => {
      const row = el('div');
      const sw = el('span', { class: 'swatch' });
      sw.style.background = classColor(c);
      row.append(sw, name);
      lg.append(row);
    });
  } else {
    lg.append(el('div', {}, `${state.colorBy}: low → high (rank)`));
    const bar = el('canvas', { width: 120, height: 8 });
    const ctx = bar.getContext('2d');
    for (let x = 0; x < 120; ++x) {
      ctx.fillStyle = `rgb(${gradient(x / 119).join(',')})`;
      ctx.fillRect(x, 0, 1, 8);
    }
    lg.append(bar);
  }
  lg.append(el('div', { class: 'muted' }, `ring: top ${state.suspects.length} by ${state.rankBy}`));
}

// ---- the map ---------------------------------------------------------------
function fitBase(canvas) {
  const { x, y } = state.pts;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < state.n; ++i) {
    x0 = Math.min(x0, x[i]); x1 = Math.max(x1, x[i]);
    y0 = Math.min(y0, y[i]); y1 = Math.max(y1, y[i]);
  }
  const pad = 20 * devicePixelRatio;
  const s = Math.min((canvas.width - 2 * pad) / Math.max(x1 - x0, 1e-9),
                     (canvas.height - 2 * pad) / Math.max(y1 - y0, 1e-9));
  state.base = { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, s, w: canvas.width, h: canvas.height };
}

// Screen position (device pixels) of point i.
function project(i) {
  const b = state.base, v = state.view;
  const bx = (state.pts.x[i] - b.cx) * b.s + b.w / 2;
  const by = b.h / 2 - (state.pts.y[i] - b.cy) * b.s;
  return [bx * v.k + v.tx, by * v.k + v.ty];
}

function draw() {
  const canvas = $('map');
  const w = canvas.width, h = canvas.height;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const buf = new Uint32Array(img.data.buffer);
  buf.fill(pack([255, 255, 255]));
  const r = Math.max(1, Math.round(devicePixelRatio * Math.min(3, 1 + state.view.k / 2)));
  for (let i = 0; i < state.n; ++i) {
    const [px, py] = project(i);
    const x0 = Math.round(px) - (r >> 1), y0 = Math.round(py) - (r >> 1);
    if (x0 < -r || y0 < -r || x0 >= w || y0 >= h) continue;
    const c = state.rgb[i];
    for (let dy = 0; dy < r; ++dy) {
      const yy = y0 + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = 0; dx < r; ++dx) {
        const xx = x0 + dx;
        if (xx >= 0 && xx < w) buf[yy * w + xx] = c;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  ctx.lineWidth = 1.2 * devicePixelRatio;
  for (const i of state.ringed) {
    const [px, py] = project(i);
    const d = state.decisions.get(i);
    ctx.strokeStyle = d ? '#999' : '#d00';
    ctx.beginPath();
    ctx.arc(px, py, 4 * devicePixelRatio, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (state.selected >= 0) {
    const [px, py] = project(state.selected);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2.5 * devicePixelRatio;
    ctx.beginPath();
    ctx.arc(px, py, 8 * devicePixelRatio, 0, 2 * Math.PI);
    ctx.stroke();
  }
  document.body.dataset.drawn = String(Number(document.body.dataset.drawn || 0) + 1);
}

function resize() {
  const canvas = $('map');
  canvas.width = Math.max(1, Math.round(canvas.clientWidth * devicePixelRatio));
  canvas.height = Math.max(1, Math.round(canvas.clientHeight * devicePixelRatio));
  fitBase(canvas);
  draw();
}

// Nearest point to a screen position (device pixels), within `radius`.
function nearest(sx, sy, radius) {
  let best = -1, bestD = radius * radius;
  for (let i = 0; i < state.n; ++i) {
    const [px, py] = project(i);
    const d = (px - sx) ** 2 + (py - sy) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

function setupMapEvents() {
  const canvas = $('map');
  let drag = null;
  canvas.addEventListener('mousedown', (e) => {
    drag = { x: e.clientX, y: e.clientY, tx: state.view.tx, ty: state.view.ty, moved: false };
  });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.moved) {
      state.view.tx = drag.tx + dx * devicePixelRatio;
      state.view.ty = drag.ty + dy * devicePixelRatio;
      draw();
    }
  });
  window.addEventListener('mouseup', (e) => {
    if (!drag) return;
    const wasClick = !drag.moved;
    drag = null;
    if (!wasClick || e.target !== canvas) return;
    const rect = canvas.getBoundingClientRect();
    const i = nearest((e.clientX - rect.left) * devicePixelRatio,
                      (e.clientY - rect.top) * devicePixelRatio, 12 * devicePixelRatio);
    if (i >= 0) select(i);
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    const sx = (e.clientX - rect.left) * devicePixelRatio;
    const sy = (e.clientY - rect.top) * devicePixelRatio;
    const f = Math.exp(-e.deltaY * 0.0015);
    const v = state.view;
    const k = Math.min(Math.max(v.k * f, 0.5), 200);
    v.tx = sx - (sx - v.tx) * (k / v.k);
    v.ty = sy - (sy - v.ty) * (k / v.k);
    v.k = k;
    draw();
  }, { passive: false });
  window.addEventListener('resize', resize);
}

// ---- suspects list ---------------------------------------------------------
function badge(i) {
  const d = state.decisions.get(i);
  if (!d) return null;
  const text = d.action === 'relabel' ? `→ ${className(d.label)}` : d.action;
  return el('span', { class: `badge ${d.action}` }, text);
}

function renderSuspects() {
  const list = $('suspects');
  list.textContent = '';
  $('suspects-title').textContent = `Top ${state.suspects.length} suspects by ${state.rankBy}`;
  const s = state.pts.scores[state.rankBy];
  const frag = document.createDocumentFragment();
  state.suspects.forEach((i, r) => {
    const li = el('li', { 'data-index': i });
    if (i === state.selected) li.classList.add('selected');
    if (state.summary.has_images) {
      li.append(el('img', { src: `api/image/${i}.png?scale=2`, loading: 'lazy', alt: '' }));
    }
    const g = state.pts.given[i], p = state.pts.predicted[i];
    const text = el('div');
    text.append(el('b', {}, `#${r + 1}`), ` example ${i}: `,
                el('span', {}, `${className(g)} → ${className(p)}`),
                el('span', { class: 'muted' }, `  ${state.rankBy} ${fmt(s[i])}`));
    if (state.pts.is_noisy && state.pts.is_noisy[i]) {
      text.append(' ', el('span', { class: 'noisy' }, '(noisy)'));
    }
    const b = badge(i);
    if (b) text.append(' ', b);
    li.append(text);
    li.addEventListener('click', () => select(i));
    frag.append(li);
  });
  list.append(frag);
}

// ---- details ---------------------------------------------------------------
function partnerStrip(title, list) {
  const box = el('div');
  box.append(el('h3', {}, `${title} (${list.length})`));
  const strip = el('div', { class: 'partners' });
  for (const p of list) {
    const d = el('div', { class: 'partner', title: `example ${p.index}` });
    if (state.summary.has_images) d.append(el('img', { src: `api/image/${p.index}.png?scale=2`, alt: '' }));
    d.append(el('div', {}, `${p.value.toFixed(3)}`), el('div', { class: 'muted' }, className(p.given)));
    d.addEventListener('click', () => select(p.index));
    strip.append(d);
  }
  box.append(strip);
  return box;
}

// Partners by relation value: x = value (conflicting < 0 < complementary),
// y = rank within its side; dots coloured by the partner's given label.
function relationMap(ex) {
  const W = 400, H = 90, pad = 14;
  const c = el('canvas', { id: 'relation-map', width: W, height: H });
  const ctx = c.getContext('2d');
  const all = ex.complementary.concat(ex.conflicting);
  const m = Math.max(1e-6, ...all.map((p) => Math.abs(p.value)));
  const X = (v) => W / 2 + (v / m) * (W / 2 - pad);
  ctx.strokeStyle = '#bbb';
  ctx.beginPath(); ctx.moveTo(W / 2, 4); ctx.lineTo(W / 2, H - 14); ctx.stroke();
  ctx.fillStyle = '#888'; ctx.font = '10px sans-serif';
  ctx.fillText('conflicting', 4, H - 3);
  ctx.fillText('complementary', W - 4 - ctx.measureText('complementary').width, H - 3);
  ctx.fillText(`±${fmt(m)}`, W / 2 + 3, H - 3);
  const plot = (list) => list.forEach((p, r) => {
    const y = 10 + (r + 0.5) * ((H - 28) / Math.max(1, list.length));
    ctx.fillStyle = classColor(p.given);
    ctx.beginPath(); ctx.arc(X(p.value), y, 4, 0, 2 * Math.PI); ctx.fill();
  });
  plot(ex.complementary);
  plot(ex.conflicting);
  ctx.fillStyle = '#000';
  ctx.beginPath(); ctx.arc(W / 2, H / 2 - 7, 5, 0, 2 * Math.PI); ctx.fill();
  return c;
}

function actionBar(ex) {
  const bar = el('div', { class: 'actions' });
  const keep = el('button', { id: 'btn-keep' }, 'Keep');
  const remove = el('button', { id: 'btn-remove' }, 'Remove');
  const sel = el('select', { id: 'relabel-class' });
  state.summary.class_names.forEach((name, c) => sel.append(el('option', { value: c }, `${c}: ${name}`)));
  const decided = state.decisions.get(ex.index);
  sel.value = String(decided?.action === 'relabel' ? decided.label : ex.predicted);
  const relabel = el('button', { id: 'btn-relabel' }, 'Relabel');
  const undo = el('button', { id: 'btn-undo' }, 'Undo');
  keep.onclick = () => decide(ex.index, 'keep');
  remove.onclick = () => decide(ex.index, 'remove');
  relabel.onclick = () => decide(ex.index, 'relabel', Number(sel.value));
  undo.onclick = () => decide(ex.index, 'undo');
  bar.append(keep, remove, sel, relabel, undo);
  const b = badge(ex.index);
  if (b) bar.append(b);
  return bar;
}

async function select(i) {
  state.selected = i;
  draw();
  document.querySelectorAll('#suspects li').forEach((li) =>
    li.classList.toggle('selected', Number(li.dataset.index) === i));
  const ex = await getJson(`api/example/${i}`);
  if (state.selected !== i) return;
  const box = $('details');
  box.textContent = '';
  box.dataset.index = String(i);
  const top = el('div', { class: 'top' });
  if (ex.has_image) top.append(el('img', { src: `api/image/${i}.png?scale=4`, alt: `example ${i}` }));
  const info = el('div');
  info.append(el('h2', {}, `Example ${i}`));
  const t = el('table', { class: 'scores' });
  const row = (k, v, cls) => {
    const tr = el('tr');
    tr.append(el('td', {}, k), el('td', cls ? { class: cls } : {}, v));
    t.append(tr);
  };
  row('given', `${ex.given}: ${className(ex.given)}`);
  row('predicted', `${ex.predicted}: ${className(ex.predicted)}`);
  if (ex.original !== undefined) row('original', `${ex.original}: ${className(ex.original)}`);
  if (ex.is_noisy !== undefined) row('noisy', ex.is_noisy ? 'yes' : 'no', ex.is_noisy ? 'noisy' : '');
  for (const [k, v] of Object.entries(ex.scores)) row(k, fmt(v));
  info.append(t);
  top.append(info);
  box.append(top, actionBar(ex));
  if (ex.complementary.length + ex.conflicting.length > 0) {
    box.append(el('h3', {}, 'Relation map'), relationMap(ex));
    box.append(partnerStrip('Complementary partners', ex.complementary));
    box.append(partnerStrip('Conflicting partners', ex.conflicting));
  } else {
    box.append(el('p', { class: 'muted' }, 'No partners (audit with --top-k > 0).'));
  }
}

async function decide(index, action, label) {
  const body = { index, action };
  if (label !== undefined) body.label = label;
  const r = await getJson('api/decision', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (action === 'undo') state.decisions.delete(index);
  else state.decisions.set(index, { action, label: label ?? state.pts.given[index] });
  $('decision-count').textContent = `${r.count} decisions`;
  renderSuspects();
  draw();
  if (state.selected === index) select(index);
}

// ---- start -----------------------------------------------------------------
function fillSelect(sel, options, value) {
  for (const [v, text] of options) sel.append(el('option', { value: v }, text));
  sel.value = value;
}

async function main() {
  state.summary = await getJson('api/summary');
  state.pts = await getJson('api/points');
  state.n = state.pts.n;
  for (const d of await getJson('api/decisions')) state.decisions.set(d.index, d);
  $('decision-count').textContent = `${state.decisions.size} decisions`;
  const names = state.summary.scores;
  state.rankBy = names.includes('nrg') ? 'nrg' : names[0];
  const st = state.summary.summary.settings || {};
  $('info').textContent = `${state.n} examples · ${state.summary.class_names.length} classes` +
                          (st.data ? ` · ${st.data}` : '') + ` · ${state.summary.dir}`;
  fillSelect($('color-by'), [['given', 'given label'], ['predicted', 'predicted label'],
                             ...names.map((s) => [s, `score: ${s}`])], 'given');
  fillSelect($('rank-by'), names.map((s) => [s, s]), state.rankBy);
  $('color-by').onchange = (e) => { state.colorBy = e.target.value; computeColors(); draw(); };
  $('rank-by').onchange = (e) => {
    state.rankBy = e.target.value; computeSuspects(); computeColors(); renderSuspects(); draw();
  };
  computeSuspects();
  computeColors();
  renderSuspects();
  setupMapEvents();
  resize();
  document.body.dataset.ready = '1';
}

window.viewer = { state, project, select, draw, nearest };
main().catch((e) => {
  $('info').textContent = `error: ${e.message}`;
  document.body.dataset.error = e.message;
});
