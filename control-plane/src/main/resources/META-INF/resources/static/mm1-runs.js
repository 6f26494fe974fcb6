// Runs list: re-renders the table's rows (server-side) when any run changes.
(function () {
  const body = document.getElementById('runs-body');
  if (!body || !window.EventSource) return;
  let pending = null;
  const refresh = () => {
    pending = null;
    fetch('/ui/runs-table' + window.location.search, { credentials: 'same-origin' })
      .then(r => r.ok ? r.text() : Promise.reject(r.status))
      .then(html => { body.innerHTML = html; })
      .catch(() => {});
  };
  const events = new EventSource('/api/v1/events');
  events.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === 'keepalive') return;
    if (!pending) pending = setTimeout(refresh, 1000); // at most one refresh a second
  };
})();
