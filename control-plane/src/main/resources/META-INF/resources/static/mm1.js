// Every page: instants shown in the browser's time zone (the UTC value stays on hover), and the
// human units the chart scripts share (window.MM1).
(function () {
  const MM1 = window.MM1 = window.MM1 || {};
  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

  /** "12 Mar 2026, 11:04:05" in the browser's zone. */
  MM1.localTime = (ms) => dateTime.format(new Date(ms));

  /** "850 ms", "12.5 s", "3 min 20 s", "5 h 02 min", "3 d 4 h" (as the server's Units.duration). */
  MM1.duration = (seconds) => {
    if (seconds === null || !isFinite(seconds)) return '–';
    const sign = seconds < 0 ? '−' : '';
    const s = Math.abs(seconds);
    if (s < 1) return sign + Math.round(s * 1000) + ' ms';
    if (s < 60) return sign + (s < 10 ? s.toFixed(1) : String(Math.round(s))) + ' s';
    const t = Math.round(s);
    if (t < 3600) return sign + Math.floor(t / 60) + ' min ' + (t % 60) + ' s';
    if (t < 86400) return sign + Math.floor(t / 3600) + ' h ' + String(Math.floor(t % 3600 / 60)).padStart(2, '0') + ' min';
    return sign + Math.floor(t / 86400) + ' d ' + Math.floor(t % 86400 / 3600) + ' h';
  };

  /** "950", "12.3 k", "4.56 M", "1.20 B": counts such as steps and tokens (as Units.compact). */
  MM1.compact = (value) => {
    if (value === null || !isFinite(value)) return '–';
    let a = Math.abs(value);
    if (a < 10000) return Number.isInteger(value) ? String(value) : String(+value.toPrecision(3));
    const units = ['k', 'M', 'B', 'T'];
    let unit = -1;
    let v = value;
    while (a >= 999.95 && unit < units.length - 1) { a /= 1000; v /= 1000; unit++; }
    return v.toFixed(a < 10 ? 2 : a < 100 ? 1 : 0) + ' ' + units[unit];
  };

  /** A metric value: small ones (learning rates) in exponent notation so an axis never reads 0, 0, 0. */
  MM1.value = (v) => {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    if (v !== 0 && Math.abs(v) < 0.01) return v.toExponential(2);
    if (Math.abs(v) >= 10000) return MM1.compact(v);
    return String(+v.toPrecision(5));
  };

  /** The palette of the stylesheet (--c0 .. --c11), which follows the light or dark theme. */
  MM1.palette = () => {
    const style = getComputedStyle(document.documentElement);
    const colours = [];
    for (let i = 0; i < 12; i++) colours.push(style.getPropertyValue('--c' + i).trim() || '#888');
    return colours;
  };

  MM1.cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  /** Shows every <time datetime> in local time; ages ("3h ago") keep their text. The title keeps UTC. */
  MM1.localizeTimes = (root) => {
    (root || document).querySelectorAll('time[datetime]').forEach(el => {
      const ms = Date.parse(el.getAttribute('datetime'));
      if (isNaN(ms) || el.dataset.local) return;
      el.dataset.local = 'true';
      const utc = el.getAttribute('title') || new Date(ms).toISOString();
      if (el.classList.contains('age')) {
        el.title = MM1.localTime(ms) + ' (' + utc + ')';
      } else {
        el.textContent = MM1.localTime(ms);
        el.title = utc;
      }
    });
  };

  MM1.localizeTimes();
})();
