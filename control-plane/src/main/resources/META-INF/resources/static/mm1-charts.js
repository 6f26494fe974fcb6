// Metric charts of the run page and the comparison page (uPlot): lines of one or several runs, x by
// step, tokens seen or wall time since the run's first step, EMA smoothing with the raw line kept
// faint, log y, drag-to-zoom that fetches the visible range again (at most one point per pixel), the
// value of every line at the hovered x, a CSV link per chart, and the view kept in the URL.
(function () {
  const MM1 = window.MM1;
  const MAX_SERIES_PER_REQUEST = 256; // the API's limit of runs x names in one query
  const HEIGHT = 260;

  /** TensorBoard's debiased exponential moving average (weight 0 returns the values). */
  MM1.ema = (values, weight) => {
    let last = 0;
    let n = 0;
    return values.map(v => {
      if (v === null || !isFinite(v)) return null;
      n++;
      last = last * weight + (1 - weight) * v;
      return weight === 0 ? v : last / (1 - Math.pow(weight, n));
    });
  };

  /** Index of the element of a sorted array nearest to x. */
  const nearest = (xs, x) => {
    let lo = 0;
    let hi = xs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x) ? lo - 1 : lo;
  };

  /** Linear interpolation of y(x) on sorted xs, held flat beyond the ends. */
  const interpolate = (xs, ys, x) => {
    if (!xs.length) return null;
    if (x <= xs[0]) return ys[0];
    if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
    let lo = 0;
    let hi = xs.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid; else hi = mid;
    }
    return ys[lo] + (ys[hi] - ys[lo]) * (x - xs[lo]) / (xs[hi] - xs[lo]);
  };

  const faint = (colour) => {
    const hex = colour.replace('#', '');
    if (hex.length !== 6) return colour;
    const n = parseInt(hex, 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',0.28)';
  };

  const key = (run, name) => run + '\u0000' + name;

  const X_AXES = {
    step: { label: 'step', tick: v => MM1.compact(v), at: v => 'step ' + Math.round(v).toLocaleString() },
    tokens: { label: 'tokens seen', tick: v => MM1.compact(v), at: v => MM1.compact(Math.round(v)) + ' tokens' },
    time: { label: 'wall time since the first step', tick: v => MM1.duration(v), at: v => MM1.duration(v) + ' after the first step' },
  };

  /**
   * A set of charts over the same runs, sharing one view (x axis, smoothing, log scale, zoom).
   * charts: [{id, title, lines: [{run, name, label, colour}]}]; every line is one series of one run.
   */
  class View {
    constructor(root, charts, options) {
      this.root = root;
      this.charts = charts;
      this.options = options || {};
      const params = new URLSearchParams(window.location.search);
      const smooth = parseFloat(params.get('smooth'));
      const from = parseFloat(params.get('from'));
      const to = parseFloat(params.get('to'));
      this.state = {
        x: X_AXES[params.get('x')] ? params.get('x') : 'step',
        smooth: isFinite(smooth) ? Math.min(0.99, Math.max(0, smooth)) : 0.6,
        log: params.get('log') === '1',
        range: isFinite(from) && isFinite(to) && to > from ? [+from.toPrecision(10), +to.toPrecision(10)] : null,
      };
      this.full = new Map();
      this.shown = new Map();
      this.t0 = new Map();
      this.queries = 0;
      this.root.dataset.queries = '0';
      this.bindControls();
      this.watchTheme();
    }

    runs() {
      return Array.from(new Set(this.charts.flatMap(c => c.lines.map(l => l.run))));
    }

    names() {
      const names = new Set(this.charts.flatMap(c => c.lines.map(l => l.name)));
      if (this.state.x === 'tokens') names.add('tokens');
      return Array.from(names);
    }

    /** Points per series: one per pixel of the widest chart. */
    maxPoints() {
      const width = Math.max(...this.charts.map(c => (c.el ? c.el.clientWidth : 0)), this.root.clientWidth / 2, 300);
      return Math.max(100, Math.min(4000, Math.round(width)));
    }

    /**
     * Fetches every line's series, whole (bounds null) or over a step range per run
     * ({run: [from, to]}), in as few requests as the API's limit allows.
     */
    async fetchSeries(bounds) {
      const runs = this.runs();
      const names = this.names();
      const perRequest = Math.max(1, Math.floor(MAX_SERIES_PER_REQUEST / runs.length));
      const result = new Map();
      for (let i = 0; i < names.length; i += perRequest) {
        const params = new URLSearchParams();
        runs.forEach(r => params.append('run', r));
        names.slice(i, i + perRequest).forEach(n => params.append('name', n));
        params.set('maxPoints', String(this.maxPoints()));
        if (bounds) {
          runs.forEach(r => { params.append('from', String(bounds[r][0])); params.append('to', String(bounds[r][1])); });
        }
        const url = '/api/v1/metrics?' + params;
        this.queries++;
        this.root.dataset.queries = String(this.queries);
        this.root.dataset.lastQuery = url;
        const response = await fetch(url, { credentials: 'same-origin' });
        if (!response.ok) {
          const problem = await response.json().catch(() => ({}));
          throw new Error(problem.detail || url + ' answered ' + response.status);
        }
        (await response.json()).forEach(run => run.series.forEach(s => result.set(key(run.runId, s.name), s)));
      }
      return result;
    }

    /** Says on the page that the charts could not be loaded, and why. */
    fail(error) {
      let note = this.root.querySelector('p.error');
      if (!note) {
        note = document.createElement('p');
        note.className = 'error';
        note.setAttribute('role', 'alert');
        this.root.prepend(note);
      }
      note.textContent = 'Could not load the metrics: ' + error.message + '. Reload the page to try again.';
      this.root.dataset.ready = 'error';
    }

    /** Loads the whole series, then the zoomed range if the URL named one, and draws. */
    async start() {
      try {
        await this.load();
      } catch (error) {
        this.fail(error);
      }
    }

    async load() {
      this.full = await this.fetchSeries(null);
      this.runs().forEach(r => {
        const firsts = [];
        this.full.forEach((s, k) => { if (k.startsWith(r + '\u0000') && s.times.length) firsts.push(s.times[0]); });
        this.t0.set(r, firsts.length ? Math.min(...firsts) : 0);
      });
      this.shown = this.full;
      if (this.state.range) {
        await this.show(this.state.range);
      } else {
        this.render();
      }
      this.root.dataset.ready = 'true';
    }

    /** x of each point of a run's series on the current axis (null where it cannot be placed). */
    xOf(run, series) {
      if (this.state.x === 'step') return series.steps;
      if (this.state.x === 'time') {
        const t0 = this.t0.get(run) || 0;
        return series.times.map(t => (t - t0) / 1000);
      }
      const tokens = this.shown.get(key(run, 'tokens')) || this.full.get(key(run, 'tokens'));
      if (!tokens || !tokens.steps.length) return null;
      return series.steps.map(s => interpolate(tokens.steps, tokens.values, s));
    }

    /** Step range of each run that covers [lo, hi] on the current axis, from its whole series. */
    stepBounds(lo, hi) {
      const bounds = {};
      for (const run of this.runs()) {
        if (this.state.x === 'step') {
          bounds[run] = [Math.max(0, Math.floor(lo)), Math.max(0, Math.ceil(hi))];
          continue;
        }
        // The run's densest whole series maps x back to steps (x grows with the step).
        let reference = null;
        this.full.forEach((s, k) => {
          if (k.startsWith(run + '\u0000') && (!reference || s.steps.length > reference.steps.length)) reference = s;
        });
        const xs = reference ? this.xOf(run, reference) : null;
        if (!xs || !xs.length) {
          bounds[run] = [0, 0];
          continue;
        }
        let from = reference.steps[0];
        let to = reference.steps[reference.steps.length - 1];
        for (let i = 0; i < xs.length; i++) {
          if (xs[i] !== null && xs[i] <= lo) from = reference.steps[i];
          if (xs[i] !== null && xs[i] >= hi) { to = reference.steps[i]; break; }
        }
        bounds[run] = [from, Math.max(from, to)];
      }
      return bounds;
    }

    /** Shows [lo, hi] of the x axis, fetching that range again at full resolution; null shows everything. */
    async zoom(range) {
      try {
        await this.show(range);
      } catch (error) {
        this.fail(error);
      }
    }

    async show(range) {
      // Rounded as the URL keeps it, so a shared link shows exactly this range.
      this.state.range = range ? range.map(v => +v.toPrecision(10)) : null;
      range = this.state.range;
      this.writeUrl();
      if (!range) {
        this.shown = this.full;
        this.render();
        return;
      }
      this.shown = await this.fetchSeries(this.stepBounds(range[0], range[1]));
      this.render();
    }

    /** Appends points after each line's last step (live runs); a zoomed view stays as it is. */
    async extend() {
      if (this.state.range || this.extending) return;
      this.extending = true;
      try {
        let last = -1;
        this.full.forEach(s => { if (s.steps.length) last = Math.max(last, s.steps[s.steps.length - 1]); });
        const bounds = {};
        this.runs().forEach(r => { bounds[r] = [last + 1, 9007199254740992]; });
        const fresh = await this.fetchSeries(bounds);
        let grew = false;
        fresh.forEach((s, k) => {
          if (!s.steps.length) return;
          const old = this.full.get(k) || { steps: [], values: [], times: [] };
          this.full.set(k, { name: s.name, steps: old.steps.concat(s.steps), values: old.values.concat(s.values),
            times: old.times.concat(s.times), downsampled: old.downsampled || s.downsampled });
          grew = true;
        });
        if (grew) {
          this.shown = this.full;
          this.render();
        }
      } catch (error) {
        // The server is unreachable for now; the next event tries again.
      } finally {
        this.extending = false;
      }
    }

    /** Draws every chart from the shown series (creating its plot, or giving it new data). */
    render() {
      this.root.dataset.x = this.state.x;
      this.root.dataset.range = this.state.range ? this.state.range.join(',') : '';
      const reset = document.getElementById('zoom-reset');
      if (reset) reset.disabled = !this.state.range;
      this.charts.forEach(chart => this.renderChart(chart));
    }

    renderChart(chart) {
      if (!chart.el) this.container(chart);
      const skipped = [];
      let leftOut = 0;
      const lines = chart.lines.map(line => {
        const series = this.shown.get(key(line.run, line.name)) || { steps: [], values: [], times: [], downsampled: false };
        const xs = this.xOf(line.run, series);
        if (!xs) {
          if (series.steps.length) skipped.push(line.label);
          return { line, xs: [], steps: [], values: [], smooth: [], downsampled: false };
        }
        const keep = xs.map((x, i) => x !== null && isFinite(x) && (!this.state.log || series.values[i] > 0));
        const values = series.values.filter((_, i) => keep[i]);
        leftOut += series.values.length - values.length;
        return { line, xs: xs.filter((_, i) => keep[i]), steps: series.steps.filter((_, i) => keep[i]), values,
          smooth: MM1.ema(values, this.state.smooth), downsampled: series.downsampled };
      });
      chart.drawn = lines;
      // uPlot draws columns over one x array: the union of every line's x, null where a line has no point.
      const xs = Array.from(new Set(lines.flatMap(l => l.xs))).sort((a, b) => a - b);
      const index = new Map(xs.map((x, i) => [x, i]));
      const data = [xs];
      lines.forEach(l => {
        const raw = new Array(xs.length).fill(null);
        const smooth = new Array(xs.length).fill(null);
        l.xs.forEach((x, i) => { raw[index.get(x)] = l.values[i]; smooth[index.get(x)] = l.smooth[i]; });
        data.push(raw, smooth);
      });
      chart.el.dataset.points = String(xs.length);
      chart.el.dataset.downsampled = String(lines.some(l => l.downsampled));
      chart.notice.textContent = (skipped.length ? 'Not on the tokens axis (no tokens series): ' + skipped.join(', ') + '. ' : '')
        + (this.state.log && leftOut ? leftOut + ' values at or below zero are left out on the log scale.' : '');
      chart.empty.hidden = xs.length > 0;
      const structure = [this.state.log, this.state.x, this.theme()].join('|');
      if (!chart.plot || chart.structure !== structure) {
        if (chart.plot) chart.plot.destroy();
        chart.plot = new uPlot(this.plotOptions(chart), data, chart.plotEl);
        chart.structure = structure;
      } else {
        chart.plot.setData(data, !this.state.range);
      }
      if (this.state.range) chart.plot.setScale('x', { min: this.state.range[0], max: this.state.range[1] });
      this.updateLegend(chart, null);
      this.updateCsv(chart);
    }

    theme() {
      return MM1.cssVar('--fg');
    }

    plotOptions(chart) {
      const view = this;
      const axis = X_AXES[this.state.x];
      const stroke = MM1.cssVar('--muted');
      const grid = { stroke: MM1.cssVar('--grid'), width: 1 };
      return {
        width: this.chartWidth(chart), height: HEIGHT,
        scales: { x: { time: false }, y: this.state.log ? { distr: 3 } : {} },
        axes: [
          { stroke, grid, ticks: grid, values: (u, vs) => vs.map(v => v === null ? '' : axis.tick(v)) },
          { stroke, grid, ticks: grid, size: 64, values: (u, vs) => vs.map(v => v === null ? '' : MM1.value(v)) },
        ],
        series: [{ label: axis.label }].concat(chart.lines.flatMap(l => [
          { label: l.label + ' (raw)', stroke: faint(l.colour), width: 1, spanGaps: true, points: { show: false } },
          { label: l.label, stroke: l.colour, width: 2, spanGaps: true, points: { show: false } },
        ])),
        legend: { show: false },
        cursor: { sync: { key: 'mm1-' + (this.options.syncKey || 'charts') }, drag: { x: true, y: false, setScale: false } },
        hooks: {
          setSelect: [u => {
            if (u.select.width < 3) return;
            const lo = u.posToVal(u.select.left, 'x');
            const hi = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            view.zoom([lo, hi]);
          }],
          setCursor: [u => view.updateLegend(chart, u.cursor.idx === null || u.cursor.idx === undefined ? null : u.data[0][u.cursor.idx])],
          ready: [u => u.over.addEventListener('dblclick', () => view.zoom(null))],
        },
      };
    }

    chartWidth(chart) {
      return Math.max(240, chart.el.clientWidth - 14);
    }

    /** The chart's box: heading with the CSV link, plot, notices, and the table of values at the cursor. */
    container(chart) {
      const el = document.createElement('div');
      el.className = 'chart';
      el.id = 'chart-' + chart.id;
      el.tabIndex = 0;
      el.setAttribute('role', 'group');
      el.setAttribute('aria-label', chart.title + ' chart: arrow keys move the cursor, + and − zoom, 0 resets');
      const head = document.createElement('div');
      head.className = 'chart-head';
      const title = document.createElement('h3');
      title.textContent = chart.title;
      chart.csv = document.createElement('a');
      chart.csv.className = 'csv';
      chart.csv.textContent = 'CSV';
      chart.csv.title = 'The data of this chart (the visible range) as CSV';
      head.append(title, chart.csv);
      chart.plotEl = document.createElement('div');
      chart.empty = document.createElement('p');
      chart.empty.className = 'empty';
      chart.empty.textContent = 'No points ' + (this.state.range ? 'in this range' : 'yet') + ' for ' + Array.from(new Set(chart.lines.map(l => l.name))).join(', ') + '.';
      chart.notice = document.createElement('p');
      chart.notice.className = 'notice';
      chart.at = document.createElement('p');
      chart.at.className = 'at';
      const legend = document.createElement('table');
      legend.className = 'legend';
      legend.innerHTML = '<thead><tr><th><span class="sr-only">Colour</span></th><th>Line</th><th class="num">Step</th><th class="num">Value</th><th class="num">Smoothed</th></tr></thead>';
      chart.rows = new Map();
      const body = document.createElement('tbody');
      chart.lines.forEach(l => {
        const row = document.createElement('tr');
        row.dataset.line = key(l.run, l.name).replace('\u0000', ':');
        row.innerHTML = '<td><span class="swatch"></span></td><td class="label"></td><td class="num step"></td><td class="num value"></td><td class="num smoothed"></td>';
        row.querySelector('.swatch').style.background = l.colour;
        row.querySelector('.label').textContent = l.label;
        body.appendChild(row);
        chart.rows.set(row.dataset.line, row);
      });
      legend.appendChild(body);
      const legendBox = document.createElement('div');
      legendBox.className = 'scroll';
      legendBox.appendChild(legend);
      el.append(head, chart.plotEl, chart.empty, chart.notice, chart.at, legendBox);
      el.addEventListener('keydown', e => this.onKey(chart, e));
      this.root.appendChild(el);
      chart.el = el;
    }

    /** Values of every line at x (the nearest point of each), or their last values when x is null. */
    updateLegend(chart, x) {
      if (!chart.drawn) return;
      chart.at.textContent = x === null ? 'Latest values (hover or use the arrow keys for any point)' : 'At ' + X_AXES[this.state.x].at(x);
      chart.el.dataset.cursor = x === null ? '' : String(x);
      chart.drawn.forEach(l => {
        const row = chart.rows.get(key(l.line.run, l.line.name).replace('\u0000', ':'));
        if (!l.xs.length) {
          row.querySelector('.step').textContent = '–';
          row.querySelector('.value').textContent = '–';
          row.querySelector('.smoothed').textContent = '–';
          row.dataset.value = '';
          return;
        }
        const i = x === null ? l.xs.length - 1 : nearest(l.xs, x);
        row.querySelector('.step').textContent = l.steps[i].toLocaleString();
        row.querySelector('.value').textContent = MM1.value(l.values[i]);
        row.querySelector('.smoothed').textContent = MM1.value(l.smooth[i]);
        row.dataset.step = String(l.steps[i]);
        row.dataset.value = String(l.values[i]);
        row.dataset.smoothed = String(l.smooth[i]);
      });
    }

    /** The chart's CSV link: its series over what it shows, at up to 100 000 points each. */
    updateCsv(chart) {
      const params = new URLSearchParams();
      const runs = Array.from(new Set(chart.lines.map(l => l.run)));
      runs.forEach(r => params.append('run', r));
      Array.from(new Set(chart.lines.map(l => l.name))).forEach(n => params.append('name', n));
      if (this.state.range) {
        const bounds = this.stepBounds(this.state.range[0], this.state.range[1]);
        runs.forEach(r => { params.append('from', String(bounds[r][0])); params.append('to', String(bounds[r][1])); });
      }
      params.set('maxPoints', '100000');
      chart.csv.href = '/api/v1/metrics.csv?' + params;
      chart.csv.setAttribute('download', 'mm1-' + chart.id + '.csv');
    }

    onKey(chart, e) {
      const u = chart.plot;
      if (!u || !u.data[0].length) return;
      const xs = u.data[0];
      let idx = u.cursor.idx === null || u.cursor.idx === undefined ? xs.length - 1 : u.cursor.idx;
      const [lo, hi] = this.state.range || [xs[0], xs[xs.length - 1]];
      const centre = u.cursor.idx === null || u.cursor.idx === undefined ? (lo + hi) / 2 : xs[idx];
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        const step = e.shiftKey ? 10 : 1;
        idx = Math.max(0, Math.min(xs.length - 1, idx + (e.key === 'ArrowRight' ? step : -step)));
        u.setCursor({ left: u.valToPos(xs[idx], 'x'), top: u.bbox.height / devicePixelRatio / 2 });
      } else if (e.key === '+' || e.key === '=') {
        const half = (hi - lo) / 4;
        this.zoom([centre - half, centre + half]);
      } else if (e.key === '-' || e.key === '_') {
        const half = hi - lo;
        const full = [this.fullExtent()[0], this.fullExtent()[1]];
        this.zoom(centre - half <= full[0] && centre + half >= full[1] ? null : [centre - half, centre + half]);
      } else if (e.key === '0' || e.key === 'Escape') {
        this.zoom(null);
      } else {
        return;
      }
      e.preventDefault();
    }

    fullExtent() {
      let lo = Infinity;
      let hi = -Infinity;
      this.full.forEach((s, k) => {
        const run = k.split('\u0000')[0];
        const xs = this.xOf(run, s) || [];
        xs.forEach(x => { if (x !== null) { lo = Math.min(lo, x); hi = Math.max(hi, x); } });
      });
      return [lo, hi];
    }

    /** The view in the URL (x axis, smoothing, log scale, zoom), so a copied link restores it. */
    writeUrl() {
      const params = new URLSearchParams(window.location.search);
      params.set('x', this.state.x);
      params.set('smooth', this.state.smooth.toFixed(2));
      if (this.state.log) params.set('log', '1'); else params.delete('log');
      if (this.state.range) {
        params.set('from', String(this.state.range[0]));
        params.set('to', String(this.state.range[1]));
      } else {
        params.delete('from');
        params.delete('to');
      }
      if (this.options.writeParams) this.options.writeParams(params);
      history.replaceState(null, '', window.location.pathname + '?' + params);
    }

    bindControls() {
      const x = document.getElementById('x-axis');
      const smooth = document.getElementById('smoothing');
      const smoothValue = document.getElementById('smoothing-value');
      const log = document.getElementById('log-y');
      const reset = document.getElementById('zoom-reset');
      const copy = document.getElementById('copy-link');
      if (x) {
        x.value = this.state.x;
        x.addEventListener('change', async () => {
          this.state.x = x.value;
          this.state.range = null;
          this.writeUrl();
          if (x.value === 'tokens' && !this.runs().every(r => this.full.has(key(r, 'tokens')))) {
            try {
              this.full = await this.fetchSeries(null);
            } catch (error) {
              this.fail(error);
              return;
            }
          }
          this.shown = this.full;
          this.render();
        });
      }
      if (smooth) {
        smooth.value = String(this.state.smooth);
        smoothValue.textContent = this.state.smooth.toFixed(2);
        smooth.addEventListener('input', () => {
          this.state.smooth = parseFloat(smooth.value);
          smoothValue.textContent = this.state.smooth.toFixed(2);
          this.writeUrl();
          this.render();
        });
      }
      if (log) {
        log.checked = this.state.log;
        log.addEventListener('change', () => { this.state.log = log.checked; this.writeUrl(); this.render(); });
      }
      if (reset) reset.addEventListener('click', () => this.zoom(null));
      if (copy) {
        copy.addEventListener('click', () => {
          const status = document.getElementById('copy-status');
          const done = () => { status.textContent = 'Link copied.'; };
          const manual = () => { status.textContent = 'Copy this link: ' + window.location.href; };
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(window.location.href).then(done, manual);
          } else {
            manual();
          }
        });
      }
      if (window.ResizeObserver) {
        new ResizeObserver(() => this.charts.forEach(c => {
          if (c.plot) c.plot.setSize({ width: this.chartWidth(c), height: HEIGHT });
        })).observe(this.root);
      }
    }

    /** The dark theme follows the system: charts are drawn again in the new colours. */
    watchTheme() {
      const media = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)');
      if (media && media.addEventListener) {
        media.addEventListener('change', () => {
          const palette = MM1.palette();
          this.charts.forEach(c => c.lines.forEach(l => { if (l.colourIndex !== undefined) l.colour = palette[l.colourIndex]; }));
          this.charts.forEach(c => { if (c.plot) { c.plot.destroy(); c.plot = null; } });
          this.render();
        });
      }
    }

    /** Removes the charts (the comparison page rebuilds them when its metrics change). */
    clear() {
      this.charts.forEach(c => { if (c.plot) c.plot.destroy(); if (c.el) c.el.remove(); });
      this.charts = [];
    }
  }

  MM1.View = View;
})();
