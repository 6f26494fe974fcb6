// Runs list: re-renders the table's rows (server-side) when any run changes.
(function () {
  // ?live=0 renders a still page (no event stream): printing, screenshots.
  const live = window.EventSource && new URLSearchParams(window.location.search).get('live') !== '0';
  const body = document.getElementById('runs-body');
  if (!body || !live) return;
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
