// Run page: the run's metric charts (shared view of mm1-charts.js), extended live from server-sent
// events together with the state badge, the progress bar and the goodput panel.
(function () {
  const MM1 = window.MM1;
  // ?live=0 renders a still page (no event stream): printing, screenshots.
  const live = window.EventSource && new URLSearchParams(window.location.search).get('live') !== '0';
  const root = document.getElementById('charts');
  if (!root) return;
  const runId = root.dataset.runId;
  const api = '/api/v1/runs/' + runId;
  // Charts in a fixed order; a chart shows the named series the run has (patterns take up to 64).
  const groups = [
    { id: 'loss', title: 'Loss', names: ['loss', 'lm_loss'] },
    { id: 'moe-losses', title: 'MoE auxiliary losses', names: ['moe/load_balance_loss', 'moe/z_loss'] },
    { id: 'lr', title: 'Learning rate', names: ['lr'] },
    { id: 'grad', title: 'Gradient norm', names: ['grad_norm'] },
    { id: 'throughput', title: 'Throughput (tokens/s)', names: ['tokens_per_s'] },
    { id: 'mfu', title: 'MFU', names: ['mfu'] },
    { id: 'step-time', title: 'Step time and data wait (s)', names: ['step_time_s', 'data_wait_s'] },
    { id: 'tokens', title: 'Tokens seen', names: ['tokens'] },
    { id: 'moe', title: 'MoE expert load', pattern: /^moe\/layer\d+\/expert_load\// },
    { id: 'moe-dropped', title: 'MoE dropped assignments', pattern: /^moe\/layer\d+\/dropped$/ },
    { id: 'skipped', title: 'Skipped updates', names: ['skipped_updates'] },
  ];

  const label = (name) => name.replace(/^moe\//, '');

  fetch(api + '/metrics/names', { credentials: 'same-origin' }).then(r => r.ok ? r.json() : Promise.reject(new Error(api + '/metrics/names answered ' + r.status))).then(names => {
    const palette = MM1.palette();
    const charts = groups.map(g => {
      const chosen = g.pattern ? names.filter(n => g.pattern.test(n)).slice(0, 64) : g.names.filter(n => names.includes(n));
      return { id: g.id, title: g.title, lines: chosen.map((n, i) => ({ run: runId, name: n, label: label(n),
        colourIndex: i % palette.length, colour: palette[i % palette.length] })) };
    }).filter(c => c.lines.length);
    if (!charts.length) {
      const empty = document.createElement('p');
      empty.className = 'empty-state';
      empty.textContent = 'No metrics yet. Charts appear as soon as the trainer posts its first batch'
        + ' (loss, lr, grad_norm, tokens_per_s, mfu, … to POST ' + api + '/metrics).';
      root.appendChild(empty);
      ['chart-controls', 'chart-hint'].forEach(id => { document.getElementById(id).hidden = true; });
      root.dataset.ready = 'true';
      return null;
    }
    const view = new MM1.View(root, charts);
    return view.start().then(() => view);
  }, error => {
    const note = document.createElement('p');
    note.className = 'error';
    note.textContent = 'Could not load the metrics: ' + error.message + '. Reload the page to try again.';
    root.appendChild(note);
    root.dataset.ready = 'error';
    return null;
  }).then(view => {
    if (!live) return;
    let pendingCharts = null;
    let pendingGoodput = null;
    const goodput = document.getElementById('goodput');
    const refreshGoodput = () => {
      pendingGoodput = null;
      fetch(goodput.dataset.live, { credentials: 'same-origin' })
        .then(r => r.ok ? r.text() : Promise.reject(r.status))
        .then(html => { goodput.innerHTML = html; MM1.localizeTimes(goodput); })
        .catch(() => {});
    };
    const events = new EventSource(api + '/events');
    events.onopen = () => { root.dataset.live = 'connected'; };
    events.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === 'keepalive') return;
      if (e.type === 'state' && e.state) {
        const badge = document.getElementById('state');
        badge.textContent = e.state;
        badge.className = 'state state-' + e.state;
      }
      if (e.type === 'metrics' && e.step !== null) {
        const progress = document.getElementById('run-progress');
        const total = parseInt(progress.dataset.total, 10);
        document.getElementById('step').textContent = e.step.toLocaleString() + (total ? ' / ' + total.toLocaleString() : '');
        if (total) {
          const percent = Math.min(100, Math.floor(e.step * 100 / total));
          document.getElementById('progress-bar').style.width = percent + '%';
          document.getElementById('percent').textContent = percent + '%';
        }
        if (view && !pendingCharts) pendingCharts = setTimeout(() => { pendingCharts = null; view.extend(); }, 500);
      }
      // The goodput panel sums every stored point of its signals again: at most every 15 s.
      if (goodput && !pendingGoodput) pendingGoodput = setTimeout(refreshGoodput, 15000);
    };
  });
})();
