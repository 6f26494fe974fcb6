// Run page: uPlot charts of the run's series, extended live from server-sent events.
(function () {
  // ?live=0 renders a still page (no event stream): printing, screenshots.
  const live = window.EventSource && new URLSearchParams(window.location.search).get('live') !== '0';
  const root = document.getElementById('charts');
  if (!root) return;
  const api = '/api/v1/runs/' + root.dataset.runId;
  const palette = ['#2f80ed', '#eb5757', '#27ae60', '#f2994a', '#9b51e0', '#56ccf2', '#219653', '#f2c94c'];
  const groups = [
    { id: 'loss', title: 'Loss', names: ['loss'] },
    { id: 'lr', title: 'Learning rate', names: ['lr'] },
    { id: 'grad', title: 'Gradient norm', names: ['grad_norm'] },
    { id: 'throughput', title: 'Throughput (tokens/s)', names: ['tokens_per_s'] },
  ];
  const width = () => Math.max(560, Math.min(root.clientWidth / 2 - 30, 900));

  const query = (names, from) => {
    const params = new URLSearchParams();
    names.forEach(n => params.append('name', n));
    params.set('maxPoints', '2000');
    if (from !== undefined) params.set('from', String(from));
    return fetch(api + '/metrics?' + params, { credentials: 'same-origin' }).then(r => r.json());
  };

  // Aligns several series on the union of their steps (uPlot's data layout), null where absent.
  const align = (series) => {
    const steps = Array.from(new Set(series.flatMap(s => s.steps))).sort((a, b) => a - b);
    const index = new Map(steps.map((s, i) => [s, i]));
    const columns = series.map(s => {
      const column = new Array(steps.length).fill(null);
      s.steps.forEach((step, i) => { column[index.get(step)] = s.values[i]; });
      return column;
    });
    return [steps, ...columns];
  };

  // Small values (learning rates) in exponent notation, so the axis does not read 0, 0, 0.
  const tick = (u, values) => values.map(v => v === null ? '' : (v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(1) : String(+v.toPrecision(6))));

  // Containers first, in a fixed order; each chart fills its own when its data arrives.
  const container = (group) => {
    const el = document.createElement('div');
    el.className = 'chart';
    el.id = 'chart-' + group.id;
    root.appendChild(el);
    group.el = el;
  };

  const draw = (group, series) => {
    const el = group.el;
    group.data = align(series);
    group.last = group.data[0].length ? group.data[0][group.data[0].length - 1] : -1;
    const opts = {
      title: group.title, width: width(), height: 260,
      scales: { x: { time: false } },
      axes: [{}, { values: tick, size: 60 }],
      series: [{ label: 'step' }].concat(series.map((s, i) => ({
        label: s.name.replace(/^moe\//, ''), stroke: palette[i % palette.length], width: 1.5, spanGaps: true,
      }))),
      legend: { show: series.length <= 16 },
    };
    group.plot = new uPlot(opts, group.data, el);
    el.dataset.points = String(group.data[0].length);
    if (!group.data[0].length) {
      group.note = document.createElement('p');
      group.note.className = 'empty';
      group.note.textContent = 'No points yet for ' + group.names.join(', ') + '.';
      el.appendChild(group.note);
    }
  };

  // New points after the last drawn step, appended (the server sends at most 2000 per series).
  const extend = (group) => query(group.names, group.last + 1).then(series => {
    const fresh = align(series);
    if (!fresh[0].length) return;
    group.data = group.data.map((column, i) => column.concat(fresh[i]));
    group.last = fresh[0][fresh[0].length - 1];
    group.plot.setData(group.data);
    group.el.dataset.points = String(group.data[0].length);
    if (group.note) { group.note.remove(); group.note = null; }
  });

  fetch(api + '/metrics/names', { credentials: 'same-origin' }).then(r => r.json()).then(names => {
    const moe = names.filter(n => n.startsWith('moe/')).slice(0, 64);
    if (moe.length) groups.push({ id: 'moe', title: 'MoE expert load', names: moe });
    groups.forEach(container);
    return Promise.all(groups.map(g => query(g.names).then(series => draw(g, series))));
  }).then(() => {
    root.dataset.ready = 'true';
    if (!live) return;
    let pending = null;
    const events = new EventSource(api + '/events');
    events.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === 'state' && e.state) {
        const badge = document.getElementById('state');
        badge.textContent = e.state;
        badge.className = 'state state-' + e.state;
      }
      if (e.type === 'metrics') {
        if (e.step !== null) document.getElementById('step').textContent = String(e.step);
        if (!pending) pending = setTimeout(() => { pending = null; groups.forEach(extend); }, 500);
      }
    };
  });
})();
