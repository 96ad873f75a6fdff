// scenario.js - the scenario object the page edits: dotted paths, share tokens, YAML export.
// The scenario is plain data with the keys of a scenario file, so what the page sends is what
// `vram run` reads.

export function getPath(obj, path) {
  let node = obj;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

// Sets a dotted path; undefined or '' removes the key (and empty parents), so an emptied field
// means "the default" rather than an empty string the server would reject.
export function setPath(obj, path, value) {
  const keys = path.split('.');
  const parents = [];
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object' || Array.isArray(node[key])) {
      if (value === undefined || value === '') return;
      node[key] = {};
    }
    parents.push([node, key]);
    node = node[key];
  }
  const last = keys[keys.length - 1];
  if (value === undefined || value === '') {
    delete node[last];
    for (let i = parents.length - 1; i >= 0; i--) {
      const [parent, key] = parents[i];
      if (Object.keys(parent[key]).length === 0) delete parent[key];
    }
  } else {
    node[last] = value;
  }
}

// Share tokens: base64url without padding of the scenario's JSON (contract.md).
export function encodeToken(scenario) {
  const bytes = new TextEncoder().encode(JSON.stringify(scenario));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeToken(token) {
  const b64 = token.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((token.length + 3) % 4);
  const binary = atob(b64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const value = JSON.parse(new TextDecoder().decode(bytes));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a scenario');
  return value;
}

// YAML that `vram run` reads unchanged: block mappings, flow lists of scalars, quoted strings
// where YAML would otherwise read them as something else.
function scalar(v) {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  const s = String(v);
  if (s === '' || /^[\s\-?:,\[\]{}#&*!|>'"%@`]|[:#]\s|\s$|^(true|false|null|yes|no|on|off|~)$/i.test(s) ||
      !isNaN(Number(s))) return JSON.stringify(s);
  return s;
}

export function toYAML(value, indent = '') {
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      if (v.every((x) => x === null || typeof x !== 'object')) {
        out += `${indent}${key}: [${v.map(scalar).join(', ')}]\n`;
      } else {
        out += `${indent}${key}:\n`;
        for (const item of v) {
          const body = toYAML(item, indent + '    ');
          out += `${indent}  - ${body.trimStart()}`;
        }
      }
    } else if (v !== null && typeof v === 'object') {
      out += `${indent}${key}:\n${toYAML(v, indent + '  ')}`;
    } else {
      out += `${indent}${key}: ${scalar(v)}\n`;
    }
  }
  return out;
}

export function formatGiB(bytes) {
  return (bytes / 2 ** 30).toFixed(2) + ' GiB';
}
