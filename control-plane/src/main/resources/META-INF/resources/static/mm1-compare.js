// Comparison of runs: a chart per chosen metric with a line per run (the run's colour from the
// table above), sharing one view; the chosen metrics ride in the URL with the rest of the view.
(function () {
  const MM1 = window.MM1;
  const root = document.getElementById('charts');
  const picker = document.getElementById('metric-picker');
  if (!root || !picker) return;
  const runs = Array.from(document.querySelectorAll('#compared-runs tr.compared')).map(row => ({
    id: row.dataset.runId, name: row.dataset.runName, colour: parseInt(row.dataset.colour, 10),
  }));

  const chosen = () => Array.from(picker.querySelectorAll('input[name=metric]:checked')).map(i => i.value);
  const chartsFor = (metrics) => {
    const palette = MM1.palette();
    return metrics.map((metric, i) => ({ id: 'm' + i, title: metric, lines: runs.map(r => ({
      run: r.id, name: metric, label: r.name, colourIndex: r.colour, colour: palette[r.colour % palette.length] })) }));
  };
  const writeMetrics = (params) => {
    params.delete('metric');
    chosen().forEach(m => params.append('metric', m));
  };

  const view = new MM1.View(root, chartsFor(chosen()), { writeParams: writeMetrics, syncKey: 'compare' });
  view.start().then(() => view.writeUrl());
  picker.addEventListener('change', async () => {
    view.clear();
    view.charts = chartsFor(chosen());
    const missing = view.names().some(n => !view.runs().every(r => view.full.has(r + '\u0000' + n)));
    if (missing) {
      try {
        view.full = await view.fetchSeries(null);
      } catch (error) {
        view.fail(error);
        return;
      }
      view.shown = view.full;
      if (view.state.range) {
        await view.zoom(view.state.range);
        return;
      }
    }
    view.render();
    view.writeUrl();
  });
})();
