/**
 * The control page (GET /): users, their devices and where each stands, with a button per device
 * action, plus fault injection and request counters. Self-contained (no external assets) and built
 * with DOM calls and textContent, so names from a seed can never inject markup.
 */
import { FAILURE_CATEGORIES } from './model';

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #242424; background: #f5f5f5; }
  body { margin: 0; }
  header { background: #4f52b2; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header span { opacity: .85; font-size: 13px; }
  main { padding: 16px 24px; display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr) 320px; }
  section { background: #fff; border-radius: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.12); padding: 12px 16px; }
  h2 { font-size: 15px; margin: 4px 0 12px; }
  .user { border-top: 1px solid #e0e0e0; padding: 10px 0; }
  .user:first-of-type { border-top: 0; }
  .who { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
  .who strong { font-size: 14px; }
  .muted { color: #616161; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; margin-top: 6px; font-size: 13px; table-layout: fixed; }
  col.device { width: 21%; } col.os { width: 15%; } col.owner { width: 8%; } col.mdm { width: 19%; } col.entra { width: 12%; } col.actions { width: 25%; }
  td, th { text-align: left; padding: 4px 6px; vertical-align: middle; }
  th { color: #616161; font-weight: 600; font-size: 12px; }
  tr + tr td { border-top: 1px solid #f0f0f0; }
  .badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; white-space: nowrap; }
  .old-mdm { background: #fff4ce; color: #835b00; }
  .dual { background: #fde7e9; color: #a4262c; }
  .intune { background: #dff6dd; color: #107c10; }
  .unmanaged { background: #edebe9; color: #484644; }
  button { font: inherit; font-size: 12px; border: 1px solid #c7c7c7; background: #fff; border-radius: 4px; padding: 3px 8px; cursor: pointer; margin: 1px; }
  button:hover:not(:disabled) { background: #ebebeb; }
  button:disabled { opacity: .4; cursor: default; }
  input, select { font: inherit; font-size: 13px; padding: 3px 6px; border: 1px solid #c7c7c7; border-radius: 4px; }
  pre { background: #faf9f8; border-radius: 4px; padding: 8px; font-size: 12px; white-space: pre-wrap; margin: 0; max-height: 300px; overflow: auto; }
  .row { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; margin-bottom: 8px; }
  .error { color: #a4262c; }
`;

const SCRIPT = `
  const ACTIONS = ['unenroll', 'enroll', 'comply', 'noncomply', 'fail'];
  const $ = (id) => document.getElementById(id);
  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const c of children || []) node.append(c);
    return node;
  }
  function allowed(action, d) {
    if (action === 'unenroll') return d.partnerMdmAppId !== null;
    if (action === 'enroll') return d.intune === null;
    if (action === 'comply' || action === 'noncomply') return d.intune !== null;
    return true;
  }
  function yesNo(v) { return v === null || v === undefined ? '-' : v ? 'yes' : 'no'; }
  async function call(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json();
    if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
    return data;
  }
  function show(text, isError) {
    $('log').textContent = text;
    $('log').className = isError ? 'error' : '';
  }
  function describe(result) {
    const lines = [result.user.userPrincipalName + ' / ' + result.device.name + ': ' + result.action];
    for (const c of result.changes) {
      lines.push('  ' + c.record + '.' + c.field + ': ' + JSON.stringify(c.from) + ' -> ' + JSON.stringify(c.to));
    }
    return lines.join('\\n');
  }
  async function act(deviceId, action) {
    const body = action === 'fail' ? { failureCategory: $('category').value } : undefined;
    try {
      show(describe(await call('POST', '/_sim/devices/' + encodeURIComponent(deviceId) + '/' + action, body)));
    } catch (e) { show(String(e.message), true); }
    await refresh();
  }
  function deviceRow(d) {
    const buttons = ACTIONS.map((a) => el('button', { textContent: a, disabled: !allowed(a, d), onclick: () => act(d.deviceId, a) }));
    return el('tr', {}, [
      el('td', {}, [el('div', { textContent: d.name }), el('div', { className: 'muted', textContent: d.model })]),
      el('td', { textContent: d.operatingSystem + ' ' + d.osVersion }),
      el('td', { textContent: d.ownership }),
      el('td', {}, [el('span', { className: 'badge ' + d.status, textContent: d.summary })]),
      el('td', { className: 'muted', textContent: 'managed ' + yesNo(d.entra.isManaged) + ', compliant ' + yesNo(d.entra.isCompliant) }),
      el('td', {}, buttons),
    ]);
  }
  function userBlock(u) {
    const head = el('div', { className: 'who' }, [
      el('strong', { textContent: u.displayName }),
      el('span', { className: 'muted', textContent: u.userPrincipalName + ' · ' + (u.preferredLanguage || '-') + ' · ' + u.devices.length + ' device(s)' + (u.troubleshootingEvents.length ? ' · ' + u.troubleshootingEvents.length + ' failed enrollment(s)' : '') }),
      el('label', { className: 'muted' }, [
        el('input', { type: 'checkbox', checked: u.blocksApp, onchange: async (e) => {
          try { await call('POST', '/_sim/users/' + encodeURIComponent(u.userPrincipalName) + '/blocks-app', { blocksApp: e.target.checked }); } catch (err) { show(String(err.message), true); }
        } }),
        ' blocks the Teams app',
      ]),
    ]);
    const header = el('tr', {}, ['Device', 'OS', 'Owner', 'Managed by', 'Entra', 'Actions'].map((h) => el('th', { textContent: h })));
    const cols = el('colgroup', {}, ['device', 'os', 'owner', 'mdm', 'entra', 'actions'].map((c) => el('col', { className: c })));
    return el('div', { className: 'user' }, [head, el('table', {}, [cols, header, ...u.devices.map(deviceRow)]), oldMdmBlock(u)]);
  }
  let oldMdm = { configured: false };
  /** The old MDM's own list of the user's devices, next to Graph's view. */
  function oldMdmBlock(u) {
    if (!oldMdm.configured) return el('div');
    if (!oldMdm.running) return el('div', { className: 'muted', textContent: oldMdm.name + ': not running (' + oldMdm.url + ')' });
    const upn = u.userPrincipalName.toLowerCase();
    const mine = oldMdm.devices.filter((d) => d.user.toLowerCase() === upn);
    if (!mine.length) return el('div', { className: 'muted', textContent: oldMdm.name + ' lists no devices for this user' });
    const known = new Set(u.devices.map((d) => d.name.toLowerCase()));
    return el('table', { className: 'oldmdm' }, [
      el('tr', {}, [oldMdm.name + ' lists', 'OS', 'Owner', 'Status', 'Serial', 'Last seen'].map((h) => el('th', { textContent: h }))),
      ...mine.map((d) => el('tr', {}, [
        el('td', { textContent: d.name + (known.has(d.name.toLowerCase()) ? '' : '  (only ' + oldMdm.name + ' knows it)') }),
        el('td', { textContent: d.operatingSystem + ' ' + (d.osVersion || '') }),
        el('td', { textContent: d.ownership }),
        el('td', {}, [el('span', { className: 'badge ' + (d.enrolled ? 'old-mdm' : 'unmanaged'), textContent: d.status })]),
        el('td', { className: 'muted', textContent: d.serialNumber || '-' }),
        el('td', { className: 'muted', textContent: d.lastSeen || '-' }),
      ])),
    ]);
  }
  async function refresh() {
    try {
      const q = $('q').value.trim();
      const state = await call('GET', '/_sim/state?limit=100' + (q ? '&q=' + encodeURIComponent(q) : ''));
      oldMdm = await call('GET', '/_sim/old-mdm');
      $('tenant').textContent = 'tenant ' + state.tenantId + ' · ' + state.totalUsers + ' users · ' + state.totalDevices + ' devices';
      $('users').replaceChildren(...state.users.map(userBlock));
      $('more').textContent = state.matchedUsers > state.users.length ? 'Showing ' + state.users.length + ' of ' + state.matchedUsers + ' users; search to narrow.' : '';
      const faults = await call('GET', '/_sim/faults');
      const stats = await call('GET', '/_sim/stats');
      $('faults').textContent = (faults.latencyMs ? 'latency ' + faults.latencyMs + ' ms\\n' : '') + (faults.faults.map((f) => f.status + ' ' + (f.method || '*') + ' ' + (f.path || '(any path)') + ' · left ' + (f.remaining === null ? '∞' : f.remaining)).join('\\n') || 'no faults');
      $('stats').textContent = JSON.stringify({ total: stats.total, byStatus: stats.byStatus, batchInner: stats.batchInner.total, faultsInjected: stats.faultsInjected, byRoute: stats.byRoute }, null, 2);
    } catch (e) { show('Cannot read the simulator state: ' + e.message, true); }
  }
  async function fault(spec) { try { await call('POST', '/_sim/faults', spec); } catch (e) { show(String(e.message), true); } await refresh(); }
  $('q').addEventListener('input', () => refresh());
  $('refresh').onclick = () => refresh();
  $('f429').onclick = () => fault({ status: 429, retryAfterSeconds: 2, times: 3, path: $('fpath').value || undefined });
  $('f503').onclick = () => fault({ status: 503, times: 1, path: $('fpath').value || undefined });
  $('flat').onclick = async () => { await call('POST', '/_sim/latency', { ms: 2000 }); await refresh(); };
  $('fclear').onclick = async () => { await call('DELETE', '/_sim/faults'); await refresh(); };
  $('sreset').onclick = async () => { await call('POST', '/_sim/stats/reset'); await refresh(); };
  $('category').replaceChildren(...CATEGORIES.map((c) => el('option', { value: c, textContent: c })));
  refresh();
  setInterval(refresh, 5000);
`;

/** The default category (what `fail` uses without one) first. */
const CATEGORIES = ['authentication', ...FAILURE_CATEGORIES.filter((c) => c !== 'authentication')];

export function controlPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenant simulator · Migration Companion</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><h1>Tenant simulator</h1><span id="tenant">loading…</span><span>Graph at /v1.0</span></header>
<main>
  <section>
    <div class="row">
      <h2 style="margin:0 12px 0 0">Users and devices</h2>
      <input id="q" type="search" placeholder="Search name or UPN" aria-label="Search users">
      <button id="refresh">Refresh</button>
      <label class="muted">fail with <select id="category" aria-label="Failure category"></select></label>
    </div>
    <div id="users"></div>
    <p id="more" class="muted"></p>
  </section>
  <aside style="display:grid; gap:16px; align-content:start">
    <section>
      <h2>Last action</h2>
      <pre id="log">Use a device's buttons to act as its owner would.</pre>
    </section>
    <section>
      <h2>Faults</h2>
      <div class="row"><input id="fpath" placeholder="path contains (optional)" aria-label="Fault path"></div>
      <div class="row">
        <button id="f429">429 ×3, Retry-After 2 s</button>
        <button id="f503">503 ×1</button>
        <button id="flat">latency 2 s</button>
        <button id="fclear">clear</button>
      </div>
      <pre id="faults"></pre>
    </section>
    <section>
      <h2>Requests served <button id="sreset" style="float:right">reset</button></h2>
      <pre id="stats"></pre>
    </section>
  </aside>
</main>
<script>
const CATEGORIES = ${JSON.stringify(CATEGORIES)};
${SCRIPT}
</script>
</body>
</html>
`;
}
