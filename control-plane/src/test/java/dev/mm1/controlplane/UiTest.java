package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.metrics;
import static dev.mm1.controlplane.Api.point;
import static dev.mm1.controlplane.Api.sha;
import static dev.mm1.controlplane.Api.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.controlplane.db.Transactions;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web UI in real headless Chromium (Debian's /usr/bin/chromium, driven over the DevTools
 * protocol): what a person sees and does, pages at 1 400 px and at 375 px in the dark theme, with a
 * screenshot of each under target/ui-screenshots.
 */
@QuarkusTest
@TestProfile(UiTest.AnonymousRead.class)
@WithKubernetesTestServer(crud = true)
class UiTest {
  private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
  private static final int WIDE = 1400;
  private static final int PHONE = 375;
  private static Chromium browser;

  /** The UI as configured for anonymous read-only use. */
  public static class AnonymousRead implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("mm1.auth.anonymous-read", "true");
    }
  }

  @TestHTTPResource("/")
  URL base;

  @Inject
  Transactions db;

  @BeforeAll
  static void startChromium() throws Exception {
    assertThat(Files.isExecutable(Chromium.BINARY))
        .withFailMessage("the UI tests need Debian's Chromium at /usr/bin/chromium: install it with"
            + " `apt-get install -y chromium` (.ci/run does)")
        .isTrue();
    browser = Chromium.start();
  }

  @AfterAll
  static void stopChromium() throws Exception {
    if (browser != null) {
      browser.close();
    }
  }

  /** A page of the UI (no event stream unless asked: live=0). */
  private Chromium.Page open(String path, int width, boolean dark) {
    String url = base.toString() + path + (path.contains("?") ? "&" : "?") + "live=0";
    return browser.open(url, width, 900, dark);
  }

  private static Path shot(String name) {
    return SCREENSHOTS.resolve(name + ".png");
  }

  @Test
  void runsListShowsProgressHumanUnitsAndSendsTickedRunsToTheComparison() throws Exception {
    String run = training("ui-list-run", null);
    String other = training("ui-list-other", null);
    metrics(run, List.of(point("loss", 400, 2.3456), point("tokens_per_s", 400, 12345)));
    try (Chromium.Page page = open("?q=ui-list", WIDE, false)) {
      String row = page.text("document.querySelector('tr[data-run-id=\"" + run + "\"]').innerText");
      assertThat(row).contains("ui-list-run").contains("2.3456").contains("12.3 k").contains("400 / 1,000").contains("40%");
      assertThat(page.text("document.querySelector('tr[data-run-id=\"" + run + "\"] .bar').style.width")).isEqualTo("40%");
      // Registration time: an age, with the local and the UTC time on hover.
      assertThat(page.text("document.querySelector('tr[data-run-id=\"" + run + "\"] time').title")).contains("UTC");
      assertThat(page.eval("document.getElementById('compare-button').disabled").asBoolean()).isTrue();
      for (String id : List.of(run, other)) {
        page.eval("document.querySelector('input[name=run][value=\"" + id + "\"]').click()");
      }
      assertThat(page.eval("document.getElementById('compare-button').disabled").asBoolean()).isFalse();
      page.screenshot(shot("runs-list"), WIDE);
      page.eval("document.getElementById('compare-button').click()");
      page.waitFor("location.pathname === '/runs/compare'");
      assertThat(page.text("location.search")).contains("run=" + run).contains("run=" + other);
    }
    try (Chromium.Page page = open("?q=no-such-run-anywhere", PHONE, true)) {
      assertThat(page.text("document.getElementById('runs-body').innerText")).contains("No runs match these filters");
      page.screenshot(shot("runs-list-empty-375-dark"), PHONE);
    }
  }

  /**
   * A run with one gang restart, its history placed at believable times: the goodput bar adds up
   * to its wall time, the attempts name the failure, and the lineage graph links its SFT child and
   * an evaluation through the checkpoints they used.
   */
  @Test
  void runPageShowsChartsGoodputOfARestartedRunAndTheLineageGraph() throws Exception {
    String run = training("ui-goodput-run", null);
    for (String[] change : new String[][] {{"Running", "Running", "all 1 workers ready (attempt 1)"},
        {"Restarting", "GangRestarted", "attempt 1 failed (worker 0 exited with code 137: OOMKilled); restart 1 of 3"},
        {"Pending", "WorkersStarting", "0 of 1 workers ready (attempt 2)"}, {"Running", "Running", "all 1 workers ready (attempt 2)"},
        {"Succeeded", "Completed", "all 1 workers completed (attempt 2)"}}) {
      admin().body(Map.of("state", change[0], "reason", change[1], "message", change[2]))
          .post("/api/v1/runs/" + run + "/state").then().statusCode(200);
    }
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    // Registered 10:00, running 10:05, restart 11:05, pending 11:06, running 11:08, done 12:08.
    retime(run, t0, List.of(0, 300, 3900, 3960, 4080, 7680));
    List<Map<String, Object>> points = new ArrayList<>();
    for (int step = 1; step <= 600; step++) {
      // attempt 1: steps 1..300 from 10:05:30 every 10 s; attempt 2 resumed at 201: 201..600 from 11:08:40
      Instant at = step <= 300 && step < 201 ? t0.plusSeconds(330 + 10L * step) : t0.plusSeconds(4120 + 9L * (step - 201));
      points.add(timed("loss", step, 3 * Math.exp(-step / 200.0), at));
      points.add(timed("step_time_s", step, 9, at));
      points.add(timed("data_wait_s", step, 0.5, at));
      points.add(timed("mfu", step, 0.4, at));
      points.add(timed("tokens", step, step * 4096.0, at));
    }
    points.add(timed("goodput/startup_s", 1, 25, t0.plusSeconds(340)));
    points.add(timed("goodput/recomputed_steps", 201, 100, t0.plusSeconds(4120)));
    points.add(timed("goodput/restart_gap_s", 201, 400, t0.plusSeconds(4120)));
    metrics(run, points);
    admin().body(Map.of("step", 200, "uri", "file:///c/ui-goodput-run/step-000000200", "sha256", sha('e'),
        "bytes", 1_234_567_890L)).post("/api/v1/runs/" + run + "/checkpoints").then().statusCode(201);
    String checkpointId = db.read(c -> {
      try (var select = c.prepareStatement("SELECT id FROM checkpoint WHERE run_id = ? AND step = 200")) {
        select.setLong(1, Long.parseLong(run));
        try (var rs = select.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      }
    });
    String sft = admin().body(Map.of("name", "ui-goodput-sft", "namespace", "team-a", "kind", "Training",
            "externalId", UUID.randomUUID().toString(), "parentRunId", run,
            "spec", Map.of("stage", "SFT", "init", Map.of("fromTraining", "ui-goodput-run", "step", "200"))))
        .post("/api/v1/runs").then().statusCode(201).extract().<String>path("id");
    String eval = admin().body(Map.of("name", "ui-goodput-eval", "namespace", "team-a", "kind", "Eval",
            "externalId", UUID.randomUUID().toString(), "parentRunId", run,
            "spec", Map.of("checkpoint", Map.of("fromTraining", "ui-goodput-run", "step", "latest"))))
        .post("/api/v1/runs").then().statusCode(201).extract().<String>path("id");

    try (Chromium.Page page = open("runs/" + run, WIDE, false)) {
      page.waitFor("document.getElementById('charts').dataset.ready === 'true'");
      assertThat(page.eval("+document.getElementById('chart-loss').dataset.points").asInt()).isEqualTo(600);
      assertThat(page.text("document.getElementById('chart-step-time').innerText")).contains("step_time_s", "data_wait_s");

      // The bar: every segment's seconds add up to the wall time, 2 h 08 min.
      double wall = page.eval("+document.getElementById('goodput-wall').dataset.wall").asDouble();
      double segments = page.eval("[...document.querySelectorAll('#goodput-bar .seg')]"
          + ".reduce((sum, s) => sum + parseFloat(s.dataset.seconds), 0)").asDouble();
      assertThat(wall).isEqualTo(7680.0);
      assertThat(segments).isCloseTo(wall, within(1e-6));
      assertThat(page.text("document.getElementById('goodput-wall').textContent")).isEqualTo("2 h 08 min");
      JsonNode causes = page.eval("Object.fromEntries([...document.querySelectorAll('#goodput-bar .seg')]"
          + ".map(s => [s.dataset.cause, parseFloat(s.dataset.seconds)]))");
      assertThat(causes.get("queued").asDouble()).isEqualTo(420.0); // 300 s before attempt 1, 120 s before attempt 2
      assertThat(causes.get("restarting").asDouble()).isEqualTo(60.0);
      assertThat(causes.get("lost").asDouble()).isEqualTo(900.0); // 100 recomputed steps at 9 s
      assertThat(page.text("document.getElementById('attempts').innerText"))
          .contains("GangRestarted").contains("OOMKilled").contains("Completed");
      assertThat(page.eval("document.querySelectorAll('#attempts tbody tr').length").asInt()).isEqualTo(2);

      // Human units and local times (the UTC value on hover).
      assertThat(page.text("document.querySelector('table.checkpoints').innerText")).contains("1.23 GB");
      JsonNode time = page.eval("(() => { const t = document.querySelector('table.transitions time');"
          + " return [t.textContent, t.title]; })()");
      assertThat(time.get(1).asText()).isEqualTo("2026-03-01 10:00:00 UTC");
      assertThat(time.get(0).asText()).doesNotContain("UTC").contains("2026");

      // Lineage: this run, its SFT child and its evaluation, linked by checkpoint step 200.
      assertThat(page.eval("[...document.querySelectorAll('#lineage a.node')].map(a => a.dataset.runId)"))
          .extracting(JsonNode::asText).containsExactlyInAnyOrder(run, sft, eval);
      assertThat(page.eval("[...document.querySelectorAll('#lineage a.edge-label')].map(a => a.getAttribute('href'))"))
          .extracting(JsonNode::asText).containsExactly("/checkpoints/" + checkpointId, "/checkpoints/" + checkpointId);
      assertThat(page.text("document.querySelector('#lineage a.node.current').dataset.runId")).isEqualTo(run);
      // The panel the page refreshes while the run is live is the same fragment.
      assertThat(page.text("fetch('/ui/runs/" + run + "/goodput').then(r => r.text())"))
          .contains("id=\"goodput-bar\"").contains("data-wall=\"7680.0\"");
      page.screenshot(shot("run-page"), WIDE);
    }
    // Live: new points reach the open page's charts over the event stream.
    try (Chromium.Page page = browser.open(base + "runs/" + run, WIDE, 900, false)) {
      page.waitFor("document.getElementById('charts').dataset.live === 'connected'");
      List<Map<String, Object>> more = new ArrayList<>();
      for (int step = 601; step <= 610; step++) {
        more.add(point("loss", step, 0.1));
      }
      metrics(run, more);
      page.waitFor("document.getElementById('chart-loss').dataset.points === '610'");
      assertThat(page.text("document.getElementById('step').textContent")).isEqualTo("610 / 1,000");
    }
    try (Chromium.Page page = open("runs/" + sft, PHONE, true)) {
      page.waitFor("document.getElementById('charts').dataset.ready === 'true'");
      assertThat(page.text("document.getElementById('charts').innerText")).contains("No metrics yet");
      assertThat(page.text("document.getElementById('goodput').innerText")).contains("No goodput yet");
      page.screenshot(shot("run-page-empty-375-dark"), PHONE);
    }
    try (Chromium.Page page = open("runs/" + run, PHONE, true)) {
      page.waitFor("document.getElementById('charts').dataset.ready === 'true'");
      // Nothing is wider than the phone: wide tables and the graph scroll inside their own boxes.
      assertThat(page.eval("document.documentElement.scrollWidth").asInt()).isLessThanOrEqualTo(PHONE);
      assertThat(page.text("getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(18, 21, 27)");
      page.screenshot(shot("run-page-375-dark"), PHONE);
    }
  }

  /**
   * Two runs overlaid: distinct colours drawn, and the hovered step's value of each run in the
   * legend; smoothing changes the drawn line; zooming fetches the visible range again at full
   * resolution; the URL restores the view; keyboard and CSV work.
   */
  @Test
  void comparisonOverlaysRunsSmoothsZoomsAndShares() throws Exception {
    String a = training("ui-overlay-a", null);
    String b = admin().body(Map.of("name", "ui-overlay-b", "namespace", "team-a", "kind", "Training",
            "externalId", UUID.randomUUID().toString(),
            "spec", Map.of("stage", "Pretrain", "optimization", Map.of("steps", 6_000, "learningRate", 0.0001))))
        .post("/api/v1/runs").then().statusCode(201).extract().<String>path("id");
    int n = 6_000; // several times the points a chart draws: the whole range is downsampled
    for (String run : List.of(a, b)) {
      double offset = run.equals(a) ? 1.0 : 5.0;
      for (int first = 0; first < n; first += 5_000) {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int step = first; step < Math.min(n, first + 5_000); step++) {
          // a saw-tooth with a period of 7 steps: only full resolution shows every tooth
          batch.add(point("loss", step, offset + step / 2_000.0 + (step % 7) * 0.01));
          batch.add(point("tokens", step, step * 1000.0));
        }
        metrics(run, batch);
      }
    }
    try (Chromium.Page page = open("runs/compare?run=" + a + "&run=" + b + "&metric=loss&smooth=0", WIDE, false)) {
      page.waitFor("document.getElementById('charts').dataset.ready === 'true'");
      String chart = "#chart-m0";
      assertThat(page.text("document.querySelector('" + chart + "').dataset.downsampled")).isEqualTo("true");
      // Every query asked for at most one point per pixel.
      int maxPoints = Integer.parseInt(page.text("document.getElementById('charts').dataset.lastQuery")
          .replaceAll(".*maxPoints=(\\d+).*", "$1"));
      assertThat(maxPoints).isLessThanOrEqualTo(4000);

      // Distinct colours: each run's line is drawn in its own palette colour.
      JsonNode drawn = page.eval(colourCounts(chart));
      assertThat(drawn.get(0).asInt()).isGreaterThan(100);
      assertThat(drawn.get(1).asInt()).isGreaterThan(100);
      assertThat(page.text("getComputedStyle(document.documentElement).getPropertyValue('--c0')"))
          .isNotEqualTo(page.text("getComputedStyle(document.documentElement).getPropertyValue('--c1')"));

      // Hover the middle of the plot: each run's row holds its own value at the hovered step.
      page.scrollIntoView(chart);
      double[] middle = page.point(chart + " .u-over", 0.5, 0.5);
      page.mouseMove(middle[0], middle[1]);
      page.waitFor("document.querySelector('" + chart + "').dataset.cursor !== ''");
      for (String run : List.of(a, b)) {
        JsonNode row = page.eval("(() => { const r = document.querySelector('" + chart + " tr[data-line=\"" + run
            + ":loss\"]'); return [+r.dataset.step, +r.dataset.value]; })()");
        long step = row.get(0).asLong();
        double offset = run.equals(a) ? 1.0 : 5.0;
        assertThat(step).isBetween(2_000L, 4_000L);
        assertThat(row.get(1).asDouble()).isCloseTo(offset + step / 2_000.0 + (step % 7) * 0.01, within(1e-9));
      }
      page.screenshot(shot("compare-hover"), WIDE);

      // Smoothing changes the drawn line (and the smoothed column), the raw values stay.
      String before = page.text("document.querySelector('" + chart + " canvas').toDataURL()");
      page.eval("(() => { const s = document.getElementById('smoothing'); s.value = '0.95';"
          + " s.dispatchEvent(new Event('input')); })()");
      assertThat(page.text("document.querySelector('" + chart + " canvas').toDataURL()")).isNotEqualTo(before);
      assertThat(page.text("location.search")).contains("smooth=0.95");
      JsonNode last = page.eval("(() => { const r = document.querySelector('" + chart + " tr[data-line=\"" + a
          + ":loss\"]'); return [+r.dataset.value, +r.dataset.smoothed]; })()");
      assertThat(last.get(1).asDouble()).isNotEqualTo(last.get(0).asDouble());

      // Zoom: drag across 2 % of the plot; the range is fetched again and every point in it is drawn.
      int queries = page.eval("+document.getElementById('charts').dataset.queries").asInt();
      double[] from = page.point(chart + " .u-over", 0.40, 0.5);
      double[] to = page.point(chart + " .u-over", 0.42, 0.5);
      page.drag(from[0], from[1], to[0], to[1]);
      page.waitFor("document.getElementById('charts').dataset.queries > " + queries);
      page.waitFor("document.querySelector('" + chart + "').dataset.downsampled === 'false'");
      String query = page.text("document.getElementById('charts').dataset.lastQuery");
      long lo = Long.parseLong(query.replaceAll(".*[?&]from=(\\d+).*", "$1"));
      long hi = Long.parseLong(query.replaceAll(".*[?&]to=(\\d+).*", "$1"));
      assertThat(hi - lo).isBetween(60L, 240L); // about 2 % of 6 000 steps
      // Two runs, a point at every step of the range: the union of x values is every step.
      assertThat(page.eval("+document.querySelector('" + chart + "').dataset.points").asLong()).isEqualTo(hi - lo + 1);
      String shared = page.text("location.href");
      assertThat(shared).contains("from=").contains("to=").contains("metric=loss");
      page.screenshot(shot("compare-zoomed"), WIDE);

      // The chart's CSV: a row per point of the visible range of both runs.
      String csv = page.text("fetch(document.querySelector('" + chart + " a.csv').href).then(r => r.text())");
      assertThat(csv.lines().findFirst()).hasValue("run_id,run_name,metric,step,time_utc,value");
      assertThat(csv.lines().count()).isEqualTo(1 + 2 * (hi - lo + 1));
      assertThat(csv).contains(a + ",ui-overlay-a,loss," + lo + ",");

      // The shared link restores runs, metric, smoothing and zoom.
      try (Chromium.Page again = browser.open(shared, WIDE, 900, false)) {
        again.waitFor("document.getElementById('charts').dataset.ready === 'true'");
        assertThat(again.text("document.getElementById('charts').dataset.range"))
            .isEqualTo(page.text("document.getElementById('charts').dataset.range"));
        assertThat(again.text("document.getElementById('smoothing').value")).isEqualTo("0.95");
        assertThat(again.text("document.querySelector('" + chart + "').dataset.downsampled")).isEqualTo("false");
      }

      // Keyboard: on the focused chart the arrow keys move the cursor, 0 zooms out.
      page.eval("document.querySelector('" + chart + "').focus()");
      page.key("ArrowLeft");
      String at = page.text("document.querySelector('" + chart + " .at').textContent");
      page.key("ArrowLeft");
      assertThat(page.text("document.querySelector('" + chart + " .at').textContent")).startsWith("At step").isNotEqualTo(at);
      page.key("0");
      page.waitFor("document.getElementById('charts').dataset.range === ''");
      assertThat(page.text("document.querySelector('" + chart + "').dataset.downsampled")).isEqualTo("true");

      // x by tokens seen: the same lines, placed by each run's tokens series.
      page.eval("(() => { const x = document.getElementById('x-axis'); x.value = 'tokens';"
          + " x.dispatchEvent(new Event('change')); })()");
      page.waitFor("document.getElementById('charts').dataset.x === 'tokens'");
      page.scrollIntoView(chart);
      double[] elsewhere = page.point(chart + " .u-over", 0.6, 0.5);
      page.mouseMove(elsewhere[0], elsewhere[1]);
      page.waitFor("document.querySelector('" + chart + " .at').textContent.includes('tokens')");
      // x by wall time since each run's first step.
      page.eval("(() => { const x = document.getElementById('x-axis'); x.value = 'time';"
          + " x.dispatchEvent(new Event('change')); })()");
      page.waitFor("document.getElementById('charts').dataset.x === 'time'");
      page.scrollIntoView(chart);
      double[] left = page.point(chart + " .u-over", 0.45, 0.5);
      page.mouseMove(left[0], left[1]);
      page.waitFor("document.querySelector('" + chart + " .at').textContent.includes('after the first step')");
      assertThat(page.text("location.search")).contains("x=time");
      assertThat(page.text("document.getElementById('spec-diff').innerText"))
          .contains("optimization.learningRate").contains("0.0001").contains("optimization.steps").contains("6000");
    }
    try (Chromium.Page page = open("runs/compare?run=" + a + "&run=" + b + "&metric=loss", PHONE, true)) {
      page.waitFor("document.getElementById('charts').dataset.ready === 'true'");
      assertThat(page.eval("document.documentElement.scrollWidth").asInt()).isLessThanOrEqualTo(PHONE);
      page.screenshot(shot("compare-375-dark"), PHONE);
    }
  }

  @Test
  void comparisonShowsTwoCheckpointsSideBySide() throws Exception {
    String run = training("ui-compare-run", null);
    for (int step : List.of(100, 200)) {
      admin().body(Map.of("step", step, "uri", "file:/c/step-" + step, "sha256", sha(step == 100 ? 'a' : 'b'), "bytes", 1))
          .post("/api/v1/runs/" + run + "/checkpoints").then().statusCode(201);
      String eval = admin().body(Map.of("name", "ui-compare-eval-" + step, "namespace", "team-a", "kind", "Eval",
              "externalId", UUID.randomUUID().toString(), "parentRunId", run,
              "spec", Map.of("checkpoint", Map.of("fromTraining", "ui-compare-run", "step", String.valueOf(step)))))
          .post("/api/v1/runs").then().statusCode(201).extract().<String>path("id");
      admin().body(List.of(Map.of("benchmark", "coco", "dataset", "coco-val", "shots", 0, "metric", "cider-d",
              "value", step == 100 ? 80.5 : 92.25, "samples", 100)))
          .post("/api/v1/runs/" + eval + "/results").then().statusCode(200);
    }
    List<String> checkpoints = new ArrayList<>();
    try (Chromium.Page page = open("evals", WIDE, false)) {
      Matcher ids = Pattern.compile("href=\"/checkpoints/(\\d+)\">ui-compare-run@(\\d+)")
          .matcher(page.text("document.body.innerHTML"));
      while (ids.find()) {
        checkpoints.add(ids.group(1));
      }
      page.screenshot(shot("evals"), WIDE);
    }
    assertThat(checkpoints).hasSize(2);
    try (Chromium.Page page = open("compare?checkpoint=" + checkpoints.get(0) + "&checkpoint=" + checkpoints.get(1), WIDE, false)) {
      String html = page.text("document.getElementById('compare').outerHTML");
      assertThat(html).contains("ui-compare-run@100").contains("ui-compare-run@200")
          .contains("coco (coco-val) 0-shot cider-d").contains("80.50").contains("<td class=\"best\">92.25</td>");
      page.screenshot(shot("compare-checkpoints"), WIDE);
    }
  }

  /** Pixels of the chart's canvas in the first two palette colours (each run's full-colour line). */
  private static String colourCounts(String chart) {
    return "(() => { const hex = v => { const n = parseInt(getComputedStyle(document.documentElement)"
        + ".getPropertyValue(v).trim().slice(1), 16); return [n >> 16, (n >> 8) & 255, n & 255]; };"
        + " const want = [hex('--c0'), hex('--c1')]; const c = document.querySelector('" + chart + " canvas');"
        + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const counts = [0, 0];"
        + " for (let i = 0; i < d.length; i += 4) want.forEach((w, k) => { if (Math.abs(d[i] - w[0]) < 12"
        + " && Math.abs(d[i + 1] - w[1]) < 12 && Math.abs(d[i + 2] - w[2]) < 12 && d[i + 3] > 200) counts[k]++; });"
        + " return counts; })()";
  }

  private static Map<String, Object> timed(String name, long step, double value, Instant at) {
    return Map.of("name", name, "step", step, "value", value, "time", at.toString());
  }

  /** Moves a run's registration and its state changes (in order) to t0 + the given seconds. */
  private void retime(String run, Instant t0, List<Integer> seconds) throws Exception {
    db.inTransaction(c -> {
      try (var update = c.prepareStatement("UPDATE run SET created_at = ? WHERE id = ?")) {
        update.setTimestamp(1, Timestamp.from(t0));
        update.setLong(2, Long.parseLong(run));
        update.executeUpdate();
      }
      List<Long> ids = new ArrayList<>();
      try (var select = c.prepareStatement("SELECT id FROM run_state_change WHERE run_id = ? ORDER BY id")) {
        select.setLong(1, Long.parseLong(run));
        try (var rs = select.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
        }
      }
      assertThat(ids).hasSameSizeAs(seconds);
      Map<Long, Integer> at = new HashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        at.put(ids.get(i), seconds.get(i));
      }
      for (var entry : at.entrySet()) {
        try (var update = c.prepareStatement("UPDATE run_state_change SET changed_at = ? WHERE id = ?")) {
          update.setTimestamp(1, Timestamp.from(t0.plusSeconds(entry.getValue())));
          update.setLong(2, entry.getKey());
          update.executeUpdate();
        }
      }
      return null;
    });
  }
}
