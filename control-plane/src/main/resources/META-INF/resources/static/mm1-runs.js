// Runs list: ticked runs go to the comparison page; the table's rows are rendered again on the
// server when any run changes, keeping what is ticked.
(function () {
  const MM1 = window.MM1;
  const body = document.getElementById('runs-body');
  const button = document.getElementById('compare-button');
  const hint = document.getElementById('compare-hint');
  if (!body) return;
  const selected = new Set();

  const update = () => {
    button.disabled = selected.size === 0;
    hint.textContent = selected.size === 0 ? 'Tick runs to overlay their metrics and see how their specs differ.'
      : selected.size + ' run' + (selected.size === 1 ? '' : 's') + ' ticked.';
  };
  const restore = () => body.querySelectorAll('input[name=run]').forEach(box => { box.checked = selected.has(box.value); });
  body.addEventListener('change', (e) => {
    if (e.target.name !== 'run') return;
    if (e.target.checked) selected.add(e.target.value); else selected.delete(e.target.value);
    update();
  });
  body.querySelectorAll('input[name=run]:checked').forEach(box => selected.add(box.value));
  update();

  // ?live=0 renders a still page (no event stream): printing, screenshots.
  const live = window.EventSource && new URLSearchParams(window.location.search).get('live') !== '0';
  if (!live) return;
  let pending = null;
  const refresh = () => {
    pending = null;
    fetch('/ui/runs-table' + window.location.search, { credentials: 'same-origin' })
      .then(r => r.ok ? r.text() : Promise.reject(r.status))
      .then(html => { body.innerHTML = html; restore(); MM1.localizeTimes(body); })
      .catch(() => {});
  };
  const events = new EventSource('/api/v1/events');
  events.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === 'keepalive') return;
    if (!pending) pending = setTimeout(refresh, 1000); // at most one refresh a second
  };
})();
