// app.js - the calculator: a scenario object edited by the form, estimated by the server on
// every change, drawn as bars, a donut and a table. Options come from /api/v1/schema, so a
// plugin's keys appear here without page changes.
import { getPath, setPath, encodeToken, decodeToken, toYAML, formatGiB } from './scenario.js';
import { barsSVG, donutSVG, categoryColor } from './charts.js';

const $ = (sel) => document.querySelector(sel);
const api = async (path, options = {}) => {
  const res = await fetch('/api/v1/' + path, options);
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try { message = JSON.parse(text).error.message; } catch (e) { /* not JSON: keep the text */ }
    throw new Error(message);
  }
  return text;
};
const postScenario = (path, scenario) =>
  api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(scenario) });

const MODES = ['inference', 'finetune', 'training', 'grpo', 'multimodal'];
const MODE_KEYS = {
  inference: ['workload.batch_size', 'workload.sequence_length', 'precision.weights', 'precision.kv_cache', 'runtime.engine'],
  finetune: ['workload.batch_size', 'workload.sequence_length', 'precision.weights', 'training.method', 'training.objective',
             'training.optimizer', 'training.mixed_precision', 'training.gradient_checkpointing'],
  training: ['workload.batch_size', 'workload.sequence_length', 'precision.weights', 'training.method', 'training.objective',
             'training.optimizer', 'training.mixed_precision', 'training.gradient_checkpointing', 'parallelism.data',
             'parallelism.zero'],
  grpo: ['workload.batch_size', 'precision.weights', 'training.method', 'training.optimizer',
         'training.gradient_checkpointing'],
  multimodal: ['workload.batch_size', 'workload.sequence_length', 'precision.weights', 'runtime.engine'],
};
const GPU_KEYS = ['hardware.count', 'hardware.memory_gib'];
const NOT_FIELDS = new Set(['name', 'plugins', 'components', 'inputs', 'hardware.gpu', 'hardware.catalog']);

let schema = null;
let scenario = {};
let mode = 'inference';
let lastResult = null;
let computeTimer = 0;
let computeSeq = 0;

// ---- schema ---------------------------------------------------------------------------------
function schemaNode(path) {
  let node = schema;
  for (const key of path.split('.')) {
    node = node && node.properties ? node.properties[key] : undefined;
    if (!node) return undefined;
  }
  return node;
}
function types(node) {
  const t = [];
  const add = (n) => { if (n.type) t.push(...[].concat(n.type)); if (n.enum) t.push('enum'); };
  add(node);
  for (const alt of node.oneOf || node.anyOf || []) add(alt);
  return t;
}
function enumOf(node) {
  const values = [];
  for (const n of [node, ...(node.oneOf || node.anyOf || [])]) if (n.enum) values.push(...n.enum);
  return values.length ? values : null;
}
function leaves(path, node, out) {
  if (node.properties && types(node).includes('object')) {
    for (const [k, v] of Object.entries(node.properties)) leaves(path ? `${path}.${k}` : k, v, out);
  } else if (path) {
    out.push(path);
  }
  return out;
}

// ---- fields ---------------------------------------------------------------------------------
function parseValue(text, node) {
  const t = types(node);
  if (text === '') return undefined;
  if (t.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if ((t.includes('integer') || t.includes('number')) && text.trim() !== '' && !isNaN(Number(text))) return Number(text);
  if (t.includes('array') || (t.includes('object') && !t.includes('string'))) {
    try { return JSON.parse(text); } catch (e) { return text; }
  }
  return text;
}

function field(path, root = scenario, onChange = null) {
  const node = schemaNode(path);
  if (!node) return null;
  const id = 'f-' + path.replace(/[^A-Za-z0-9]/g, '-');
  const wrap = document.createElement('div');
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = path.split('.').slice(-2).join(' ').replace(/_/g, ' ');
  label.title = node.description || path;
  const values = enumOf(node);
  const t = types(node);
  let input;
  if (values || (t.length === 1 && t[0] === 'boolean')) {
    input = document.createElement('select');
    const def = node.default !== undefined ? ` (default: ${node.default})` : '';
    input.append(new Option(`—${def}`, ''));
    for (const v of values || [true, false]) input.append(new Option(String(v), String(v)));
  } else {
    input = document.createElement('input');
    if (t.includes('integer') || t.includes('number')) input.inputMode = 'decimal';
    if (node.default !== undefined) input.placeholder = `default: ${JSON.stringify(node.default)}`;
  }
  input.id = id;
  input.dataset.key = path;
  input.setAttribute('aria-description', node.description || '');
  const current = getPath(root, path);
  input.value = current === undefined ? '' : typeof current === 'object' ? JSON.stringify(current) : String(current);
  // Selects report a choice with 'change' (not every way of choosing fires 'input').
  input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => {
    setPath(root, path, parseValue(input.value, node));
    if (onChange) onChange(path);
    schedule();
  });
  wrap.append(label, input);
  return wrap;
}

function methodKeys() {
  const method = getPath(scenario, 'training.method') || 'full';
  const keys = [];
  const block = schemaNode(`training.${method}`);
  if (block && method !== 'full') leaves(`training.${method}`, block, keys);
  if (mode === 'grpo') {
    const grpo = schemaNode('training.grpo');
    if (grpo) leaves('training.grpo', grpo, keys);
  }
  return keys;
}

function renderFields() {
  const box = $('#mode-fields');
  box.replaceChildren();
  const shown = new Set([...MODE_KEYS[mode], ...methodKeys(), ...GPU_KEYS]);
  for (const key of [...MODE_KEYS[mode], ...methodKeys()]) {
    const f = field(key, scenario, (p) => {
      if (p !== 'training.method') return;
      matchWeightsToMethod();
      renderFields();
    });
    if (f) box.append(f);
  }
  const gpu = $('#gpu-fields');
  gpu.replaceChildren();
  for (const key of GPU_KEYS) { const f = field(key); if (f) gpu.append(f); }
  // Every other key the server knows, generated from its schema (plugins' options included).
  const more = $('#more-fields');
  more.replaceChildren();
  for (const key of leaves('', schema, [])) {
    if (shown.has(key) || key.startsWith('model.') || NOT_FIELDS.has(key) || key.startsWith('inputs')) continue;
    if (key.startsWith('training.') && getPath(scenario, 'workload.type') !== 'training') continue;
    const f = field(key);
    if (f) more.append(f);
  }
  renderInputs();
  $('#gpu-search').value = getPath(scenario, 'hardware.gpu') || '';
  const source = scenario.model?.hub ? 'hub' : scenario.model?.architecture ? 'architecture' : 'preset';
  document.querySelector(`input[name=model-source][value=${source}]`).checked = true;
  showSource(source);
  $('#model-preset').value = scenario.model?.preset || '';
  $('#model-hub').value = scenario.model?.hub || '';
  if (scenario.model?.architecture) $('#model-architecture').value = JSON.stringify(scenario.model.architecture, null, 1);
  document.querySelector(`input[name=mode][value=${mode}]`).checked = true;
}

function renderInputs() {
  const editor = $('#inputs-editor');
  editor.hidden = mode !== 'multimodal';
  const list = $('#inputs-list');
  list.replaceChildren();
  const item = schemaNode('inputs')?.items;
  if (!item || !item.properties) return;
  (scenario.inputs || []).forEach((input, i) => {
    const row = document.createElement('div');
    row.className = 'input-row';
    for (const key of Object.keys(item.properties)) {
      const holder = { properties: item.properties };
      const saved = schema;
      schema = holder;  // field() reads this entry's schema
      const f = field(key, input);
      schema = saved;
      if (f) { f.querySelector('[data-key]').id += `-${i}`; f.querySelector('label').htmlFor += `-${i}`; row.append(f); }
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove input ${i + 1}`);
    remove.addEventListener('click', () => { scenario.inputs.splice(i, 1); if (!scenario.inputs.length) delete scenario.inputs; renderInputs(); schedule(); });
    row.append(remove);
    list.append(row);
  });
}

// QLoRA trains adapters over a bitsandbytes 4-bit base, and full training needs 16- or 32-bit
// weights: pick a format that goes with the method rather than answer with an error.
function matchWeightsToMethod() {
  const method = getPath(scenario, 'training.method') || 'full';
  const weights = getPath(scenario, 'precision.weights') || '';
  if (method === 'qlora' && !/^nf4/.test(weights)) setPath(scenario, 'precision.weights', 'nf4');
  else if (method !== 'qlora' && /^nf4/.test(weights)) setPath(scenario, 'precision.weights', 'bf16');
}

function modeOf(s) {
  const type = getPath(s, 'workload.type') || 'inference';
  if (type !== 'training') return s.inputs && s.inputs.length ? 'multimodal' : 'inference';
  if (getPath(s, 'training.objective') === 'grpo') return 'grpo';
  if ((getPath(s, 'training.method') || 'full') === 'full' && getPath(s, 'training.objective') === 'pretrain') return 'training';
  return 'finetune';
}

function setMode(next) {
  mode = next;
  if (mode === 'inference' || mode === 'multimodal') {
    setPath(scenario, 'workload.type', 'inference');
    delete scenario.training;
    if (mode === 'inference') delete scenario.inputs;
    if (mode === 'multimodal' && !(scenario.inputs && scenario.inputs.length)) {
      scenario.inputs = [{ modality: 'image', width: 1024, height: 768, count: 1 }];
      if (!/vl|llava|audio|whisper/i.test(scenario.model?.preset || 'vl')) setPath(scenario, 'model.preset', 'qwen2.5-vl-7b');
    }
    if (!getPath(scenario, 'workload.sequence_length')) setPath(scenario, 'workload.sequence_length', 2048);
  } else {
    setPath(scenario, 'workload.type', 'training');
    delete scenario.inputs;
    // Training is estimated under the hf engine's semantics; a serving engine would be refused.
    if (scenario.runtime?.engine && scenario.runtime.engine !== 'hf') setPath(scenario, 'runtime.engine', undefined);
    if (mode === 'training') {
      setPath(scenario, 'training.method', 'full');
      setPath(scenario, 'training.objective', 'pretrain');
    } else if (mode === 'finetune') {
      if ((getPath(scenario, 'training.method') || 'full') === 'full' && getPath(scenario, 'training.objective') === 'pretrain')
        setPath(scenario, 'training.method', 'lora');
      if (!getPath(scenario, 'training.method')) setPath(scenario, 'training.method', 'lora');
      if (['pretrain', 'grpo', undefined].includes(getPath(scenario, 'training.objective')))
        setPath(scenario, 'training.objective', 'sft');
      if (scenario.training?.grpo) delete scenario.training.grpo;
    } else if (mode === 'grpo') {
      if (!getPath(scenario, 'training.method') || getPath(scenario, 'training.method') === 'full')
        setPath(scenario, 'training.method', 'lora');
      setPath(scenario, 'training.objective', 'grpo');
      if (!scenario.training.grpo) scenario.training.grpo = { num_generations: 8, prompt_length: 512, completion_length: 1024 };
      if (scenario.workload) delete scenario.workload.sequence_length;
    }
    if (!getPath(scenario, 'workload.sequence_length') && mode !== 'grpo') setPath(scenario, 'workload.sequence_length', 2048);
    matchWeightsToMethod();
  }
  if (!getPath(scenario, 'workload.batch_size')) setPath(scenario, 'workload.batch_size', mode === 'grpo' ? 8 : 1);
  renderFields();
  schedule();
}

// ---- model ----------------------------------------------------------------------------------
function showSource(source) {
  for (const el of document.querySelectorAll('[data-source]')) el.hidden = el.dataset.source !== source;
}
function setModel(key, value) {
  scenario.model = value === undefined || value === '' ? {} : { [key]: value };
  schedule();
}

// ---- estimate -------------------------------------------------------------------------------
function schedule() {
  document.body.dataset.pending = '1';  // tests wait for this to clear before reading the total
  clearTimeout(computeTimer);
  computeTimer = setTimeout(compute, 250);
}

async function compute() {
  const seq = ++computeSeq;
  document.body.dataset.pending = '';
  if (!scenario.model || Object.keys(scenario.model).length === 0) {
    // Nothing to ask the API until a model is chosen: a model field being retyped is empty for
    // a moment, and that half-typed scenario would only come back as a 400.
    $('#error').textContent = 'Choose a model: a preset, a hub id, a config.json or an architecture.';
    $('#error').hidden = false;
    document.body.dataset.busy = '';
    document.body.dataset.computed = String(seq);
    return;
  }
  const sent = JSON.parse(JSON.stringify(scenario));
  document.body.dataset.busy = '1';
  try {
    const json = JSON.parse(await postScenario('estimate', sent));
    if (seq !== computeSeq) return;  // a newer change is on its way
    lastResult = json;
    $('#error').hidden = true;
    render(json);
    history.replaceState(null, '', '/?s=' + encodeToken(sent));
    $('#share-url').value = location.href;
    remember(sent, json);
  } catch (e) {
    if (seq !== computeSeq) return;
    $('#error').textContent = e.message;
    $('#error').hidden = false;
  } finally {
    if (seq === computeSeq) { document.body.dataset.busy = ''; document.body.dataset.computed = String(seq); }
  }
}

function render(json) {
  const total = $('#result-total');
  total.textContent = formatGiB(json.total_bytes);
  total.dataset.totalBytes = String(json.total_bytes);
  const fit = $('#result-fit');
  if (json.gpu && json.gpu.memory_bytes > 0) {
    fit.textContent = `${json.fits ? 'fits' : 'does not fit'} on ${json.gpu.count} × ${json.gpu.name} ` +
                      `(${(100 * json.gpu.utilization).toFixed(1)} % of ${formatGiB(json.gpu.memory_bytes)})` +
                      (json.refusal ? `: ${json.refusal}` : '');
    fit.className = json.fits ? 'fits' : 'nofit';
  } else {
    fit.textContent = 'no GPU chosen: no fit check';
    fit.className = '';
  }
  const m = json.model || {};
  const views = json.memory;
  if (views) {
    fit.title = `allocated ${formatGiB(views.allocated_peak_bytes)} · reserved ${formatGiB(views.reserved_peak_bytes)} · ` +
                `device (nvidia-smi) ${formatGiB(views.device_bytes)}` +
                (views.host_bytes > 0 ? ` · host ${formatGiB(views.host_bytes)}` : '');
  }
  const parts = [`${json.scenario}`, `${m.name}: ${Number(m.parameters).toLocaleString()} parameters`];
  if (json.workload) parts.push(`${json.workload.batch_size} × ${json.workload.tokens_per_sequence ?? json.workload.sequence_length} tokens`);
  if (json.serving && json.serving.max_kv_tokens) parts.push(`KV room for ${Number(json.serving.max_kv_tokens).toLocaleString()} tokens (concurrency ${Number(json.serving.max_concurrency).toFixed(1)})`);
  if (json.training && json.training.trainable_parameters) parts.push(`${Number(json.training.trainable_parameters).toLocaleString()} trainable`);
  $('#result-detail').textContent = parts.join(' · ');
  const ranks = json.ranks && json.ranks.length ? json.ranks : [{ label: 'GPU', total_bytes: json.total_bytes, components: json.components }];
  $('#bars').innerHTML = barsSVG(ranks, json.gpu ? json.gpu.memory_bytes : 0);
  $('#donut').innerHTML = donutSVG(json.components, json.total_bytes);
  const body = $('#components tbody');
  body.replaceChildren();
  for (const c of json.components) {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.title = `${c.formula || ''}\n${c.source || ''}`.trim();
    tr.innerHTML = `<td><span class="swatch" style="background:${categoryColor(c.category)}"></span></td><td></td><td class="n"></td>`;
    tr.cells[0].append(c.name);
    tr.cells[1].textContent = c.category;
    tr.cells[2].textContent = (c.bytes / 2 ** 30).toFixed(3);
    // Tap or Enter shows the formula under the row (no hover on a phone).
    const toggle = () => {
      const next = tr.nextElementSibling;
      if (next && next.classList.contains('formula')) { next.remove(); return; }
      const row = document.createElement('tr');
      row.className = 'formula';
      const td = document.createElement('td');
      td.colSpan = 3;
      td.textContent = tr.title || 'no formula recorded';
      row.append(td);
      tr.after(row);
    };
    tr.addEventListener('click', toggle);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') toggle(); });
    body.append(tr);
  }
}

// ---- history (localStorage) -----------------------------------------------------------------
const HISTORY = 'vram.history';
function loadList(key) { try { return JSON.parse(localStorage.getItem(key)) || []; } catch (e) { return []; } }
function remember(sent, json) {
  const list = loadList(HISTORY);
  const token = encodeToken(sent);
  if (list.length && list[0].token === token) return;
  list.unshift({ token, label: json.scenario || json.model?.name || 'scenario', model: json.model?.name,
                 gpu: json.gpu?.name, total_bytes: json.total_bytes, time: new Date().toISOString() });
  localStorage.setItem(HISTORY, JSON.stringify(list.slice(0, 30)));
  renderHistory();
}
function renderHistory() {
  const ol = $('#history');
  ol.replaceChildren();
  for (const h of loadList(HISTORY)) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'history-entry';
    b.textContent = `${h.model || h.label} on ${h.gpu || 'no GPU'}: ${formatGiB(h.total_bytes)}`;
    b.title = h.label;
    b.addEventListener('click', () => load(decodeToken(h.token)));
    li.append(b);
    ol.append(li);
  }
}

// ---- compare --------------------------------------------------------------------------------
const COMPARE = 'vram.compare';
function renderCompareList() {
  const ol = $('#cmp-list');
  ol.replaceChildren();
  for (const s of loadList(COMPARE)) {
    const li = document.createElement('li');
    li.textContent = s.name || `${s.model?.preset || s.model?.hub || 'model'} on ${s.hardware?.gpu || 'no GPU'}`;
    ol.append(li);
  }
}
async function runCompare() {
  const list = loadList(COMPARE);
  const box = $('#cmp-table');
  if (list.length < 2) { box.textContent = 'Add two or more scenarios first.'; return; }
  try {
    const json = JSON.parse(await postScenario('compare', { scenarios: list }));
    const head = json.scenarios.map((s, i) => `<th scope="col" class="n">${i + 1}</th>`).join('');
    let html = `<table id="cmp-result"><thead><tr><th scope="col">component</th>${head}</tr></thead><tbody>`;
    html += '<tr class="total"><th scope="row">total</th>' + json.scenarios.map((s) =>
      `<td class="n" data-total-bytes="${s.total_bytes}">${formatGiB(s.total_bytes)}</td>`).join('') + '</tr>';
    for (const c of json.components) {
      html += `<tr title="${escapeHTML(c.formula || '')}"><th scope="row">${escapeHTML(c.name)}</th>` +
        c.bytes.map((b) => `<td class="n">${b === null ? '—' : (b / 2 ** 30).toFixed(2)}</td>`).join('') + '</tr>';
    }
    html += '</tbody></table><ol>' + json.scenarios.map((s) => `<li>${escapeHTML(s.scenario)}</li>`).join('') + '</ol>';
    box.innerHTML = html;
  } catch (e) {
    box.textContent = e.message;
  }
}
function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// ---- fit map and recommendation -------------------------------------------------------------
async function fitMap() {
  const box = $('#fit-map');
  box.textContent = 'computing…';
  const batches = [1, 2, 4, 8, 16, 32, 64, 128];
  const seqs = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];
  const query = `vary=${encodeURIComponent('workload.batch_size=' + batches.join(','))}` +
                `&vary=${encodeURIComponent('workload.sequence_length=' + seqs.join(','))}&format=csv`;
  try {
    const csv = await postScenario('sweep?' + query, scenario);
    const rows = csv.trim().split('\n').map((l) => l.split(','));
    const head = rows.shift();
    const iFits = head.indexOf('fits'), iTotal = head.indexOf('total_bytes');
    const cell = {};
    for (const r of rows) cell[`${r[0]}x${r[1]}`] = r;
    let html = '<table class="heat" id="fit-table"><caption>fits (green) or not, GiB per GPU; rows: batch, columns: tokens</caption><tr><th></th>' +
      seqs.map((s) => `<th scope="col">${s}</th>`).join('') + '</tr>';
    for (const b of batches) {
      html += `<tr><th scope="row">${b}</th>`;
      for (const s of seqs) {
        const r = cell[`${b}x${s}`];
        const ok = r && r[iFits] === 'true';
        html += `<td class="${ok ? 'yes' : 'no'}" title="batch ${b}, ${s} tokens">${r ? (Number(r[iTotal]) / 2 ** 30).toFixed(0) : '?'}</td>`;
      }
      html += '</tr>';
    }
    box.innerHTML = html + '</table>';
  } catch (e) {
    box.textContent = e.message;
  }
}

async function recommend() {
  const box = $('#rec-table');
  box.textContent = 'searching the catalogs…';
  try {
    const list = JSON.parse(await postScenario('recommend?limit=15', scenario));
    if (!list.length) { box.textContent = 'No catalog GPU fits this scenario.'; return; }
    box.innerHTML = '<table id="rec-result"><thead><tr><th scope="col">GPU</th><th scope="col" class="n">count</th>' +
      '<th scope="col" class="n">need GiB</th><th scope="col" class="n">util</th><th scope="col" class="n">price USD</th>' +
      '<th scope="col" class="n">USD/GiB</th></tr></thead><tbody>' +
      list.map((g) => `<tr><td>${escapeHTML(g.name)}</td><td class="n">${g.gpu_count}</td>` +
        `<td class="n">${(g.total_bytes / 2 ** 30).toFixed(2)}</td><td class="n">${(100 * g.utilization).toFixed(1)} %</td>` +
        `<td class="n">${g.price_usd ?? '—'}</td><td class="n">${g.price_per_usable_gib_usd ?? '—'}</td></tr>`).join('') +
      '</tbody></table>';
  } catch (e) {
    box.textContent = e.message;
  }
}

// ---- export ---------------------------------------------------------------------------------
function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}
async function exportAs(kind) {
  try {
    if (kind === 'json') return download('vram-estimate.json', 'application/json', JSON.stringify(lastResult, null, 2) + '\n');
    if (kind === 'yaml') return download('vram-scenario.yaml', 'application/yaml', toYAML(scenario));
    const ext = { markdown: 'md', csv: 'csv', html: 'html' }[kind];
    const text = await postScenario(`estimate?format=${kind}`, scenario);
    download(`vram-estimate.${ext}`, 'text/plain', text);
  } catch (e) {
    toast(e.message);
  }
}

// ---- misc -----------------------------------------------------------------------------------
function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.classList.add('show');
  setTimeout(() => t.classList.remove('show'), 2500);
}
async function share() {
  const url = location.origin + '/?s=' + encodeToken(scenario);
  $('#share-url').value = url;
  try { await navigator.clipboard.writeText(url); toast('Link copied'); } catch (e) { toast('Link: see the field under the total'); }
}

function load(s) {
  scenario = s;
  mode = modeOf(s);
  renderFields();
  schedule();
}

let gpuTimer = 0;
function gpuSearch() {
  clearTimeout(gpuTimer);
  gpuTimer = setTimeout(async () => {
    const q = $('#gpu-search').value.trim();
    const list = $('#gpu-results');
    if (!q) { list.hidden = true; return; }
    const gpus = JSON.parse(await api('gpus?limit=8&q=' + encodeURIComponent(q)));
    list.replaceChildren();
    gpus.forEach((g, i) => {
      const li = document.createElement('li');
      li.role = 'option';
      li.id = `gpu-opt-${i}`;
      li.tabIndex = -1;
      li.dataset.name = g.name;
      li.textContent = `${g.name} — ${(g.usable_bytes / 2 ** 30).toFixed(1)} GiB usable` + (g.price_usd ? `, $${g.price_usd}` : '');
      li.addEventListener('click', () => chooseGPU(g.name));
      li.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') chooseGPU(g.name);
        if (e.key === 'ArrowDown') li.nextElementSibling?.focus();
        if (e.key === 'ArrowUp') (li.previousElementSibling || $('#gpu-search')).focus();
      });
      list.append(li);
    });
    list.hidden = gpus.length === 0;
    $('#gpu-search').setAttribute('aria-expanded', String(!list.hidden));
  }, 150);
}
function chooseGPU(name) {
  setPath(scenario, 'hardware.gpu', name);
  if (scenario.hardware) delete scenario.hardware.memory_gib;
  $('#gpu-search').value = name;
  $('#gpu-results').hidden = true;
  $('#gpu-search').setAttribute('aria-expanded', 'false');
  $('#gpu-search').focus();
  renderFields();
  schedule();
}

function shortcuts(e) {
  const tag = e.target.tagName;
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag) || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '/') { e.preventDefault(); $('input[name=model-source][value=preset]').click(); $('#model-preset').focus(); }
  else if (e.key === 'g') { e.preventDefault(); $('#gpu-search').focus(); }
  else if (e.key >= '1' && e.key <= '5') setMode(MODES[Number(e.key) - 1]);
  else if (e.key === 's') share();
  else if (e.key === 'c') $('#cmp-add').click();
  else if (e.key === 'e') exportAs('json');
  else if (e.key === '?') $('#shortcuts').showModal();
}

async function start() {
  // The share field lives under the total so a link can be selected where the clipboard is off.
  const shareField = document.createElement('input');
  shareField.id = 'share-url';
  shareField.readOnly = true;
  shareField.setAttribute('aria-label', 'Link to this scenario');
  $('#result-detail').after(shareField);

  schema = JSON.parse(await api('schema'));
  const presets = JSON.parse(await api('presets'));
  for (const m of presets.models) $('#model-presets').append(new Option(`${m.display || ''}`, m.name));
  for (const s of presets.scenarios) $('#scenario-preset').append(new Option(s.name, s.name));

  for (const r of document.querySelectorAll('input[name=mode]')) r.addEventListener('change', () => setMode(r.value));
  for (const r of document.querySelectorAll('input[name=model-source]')) r.addEventListener('change', () => showSource(r.value));
  $('#model-preset').addEventListener('change', (e) => setModel('preset', e.target.value.trim()));
  $('#model-hub').addEventListener('change', (e) => setModel('hub', e.target.value.trim()));
  $('#model-upload').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try { setModel('architecture', JSON.parse(await file.text())); } catch (err) { toast('config.json: ' + err.message); }
  });
  $('#model-architecture').addEventListener('input', (e) => {
    try { scenario.model = { architecture: JSON.parse(e.target.value) }; schedule(); } catch (err) { /* still typing */ }
  });
  $('#scenario-load').addEventListener('click', async () => {
    const name = $('#scenario-preset').value;
    if (name) load(JSON.parse(await api('scenario?name=' + encodeURIComponent(name))));
  });
  $('#gpu-search').addEventListener('input', gpuSearch);
  $('#gpu-search').addEventListener('keydown', (e) => { if (e.key === 'ArrowDown') $('#gpu-results li')?.focus(); });
  $('#inputs-add').addEventListener('click', () => {
    (scenario.inputs ||= []).push({ modality: 'image', width: 1024, height: 768, count: 1 });
    renderInputs();
    schedule();
  });
  $('#fit-run').addEventListener('click', fitMap);
  $('#rec-run').addEventListener('click', recommend);
  $('#cmp-add').addEventListener('click', () => {
    const list = loadList(COMPARE);
    list.push(JSON.parse(JSON.stringify(scenario)));
    localStorage.setItem(COMPARE, JSON.stringify(list.slice(-8)));
    renderCompareList();
    toast('Added to compare');
  });
  $('#cmp-run').addEventListener('click', runCompare);
  $('#cmp-clear').addEventListener('click', () => { localStorage.removeItem(COMPARE); renderCompareList(); $('#cmp-table').replaceChildren(); });
  $('#hist-clear').addEventListener('click', () => { localStorage.removeItem(HISTORY); renderHistory(); });
  for (const b of document.querySelectorAll('[data-export]')) b.addEventListener('click', () => exportAs(b.dataset.export));
  $('#share').addEventListener('click', share);
  $('#shortcuts-open').addEventListener('click', () => $('#shortcuts').showModal());
  document.addEventListener('keydown', shortcuts);
  renderHistory();
  renderCompareList();

  const token = new URLSearchParams(location.search).get('s');
  let initial = null;
  if (token) {
    try { initial = decodeToken(token); } catch (e) { $('#error').textContent = 'The share link is damaged: ' + e.message; $('#error').hidden = false; }
  }
  if (!initial) {
    const last = loadList(HISTORY)[0];
    initial = last ? decodeToken(last.token) : {
      model: { preset: 'llama-3.1-8b' }, precision: { weights: 'bf16' },
      workload: { type: 'inference', batch_size: 8, sequence_length: 4096 }, hardware: { gpu: 'H100 SXM', count: 1 },
    };
  }
  load(initial);
  document.body.dataset.ready = '1';
}

start().catch((e) => { $('#error').textContent = 'The page could not start: ' + e.message; $('#error').hidden = false; });
