package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.admin;
import static dev.mm1.controlplane.Api.metrics;
import static dev.mm1.controlplane.Api.point;
import static dev.mm1.controlplane.Api.sha;
import static dev.mm1.controlplane.Api.training;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web UI in real headless Chromium (Debian's /usr/bin/chromium): the page's DOM after its
 * scripts ran, and a screenshot of each page under target/ui-screenshots.
 */
@QuarkusTest
@TestProfile(UiTest.AnonymousRead.class)
@WithKubernetesTestServer(crud = true)
class UiTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

  /** The UI as configured for anonymous read-only use. */
  public static class AnonymousRead implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("mm1.auth.anonymous-read", "true");
    }
  }

  @TestHTTPResource("/")
  URL base;

  @BeforeAll
  static void needsChromium() {
    assertThat(Files.isExecutable(CHROMIUM))
        .withFailMessage("the UI tests need Debian's Chromium at /usr/bin/chromium: install it with"
            + " `apt-get install -y chromium` (.ci/run does)")
        .isTrue();
  }

  @Test
  void runsListRendersASeededRun() throws Exception {
    String run = training("ui-list-run", null);
    metrics(run, List.of(point("loss", 400, 2.3456), point("tokens_per_s", 400, 12345)));
    String dom = browse("", "runs-list");
    assertThat(dom).contains("ui-list-run").contains("2.3456").contains("12345").contains("400 / 1000")
        .contains("class=\"bar\" style=\"width: 40%\"");
  }

  @Test
  void runPageDrawsChartsWithData() throws Exception {
    String run = training("ui-chart-run", null);
    List<Map<String, Object>> points = new ArrayList<>();
    for (int step = 0; step < 300; step++) {
      points.add(point("loss", step, 3 * Math.exp(-step / 100.0)));
      points.add(point("lr", step, 1e-4));
      points.add(point("moe/layer0/expert_load/" + (step % 4), step, 0.25));
    }
    metrics(run, points);
    admin().body(Map.of("step", 200, "uri", "file:/c/step-000000200", "sha256", sha('e'), "bytes", 99))
        .post("/api/v1/runs/" + run + "/checkpoints").then().statusCode(201);
    String dom = browse("runs/" + run, "run-page");
    assertThat(dom).contains("data-ready=\"true\"").contains("file:/c/step-000000200");
    assertThat(chartPoints(dom, "loss")).isEqualTo(300);
    assertThat(chartPoints(dom, "moe")).isEqualTo(300);
    assertThat(dom).contains("<canvas").contains("Loss").contains("MoE expert load");
  }

  @Test
  void comparisonShowsTwoCheckpointsSideBySide() throws Exception {
    String run = training("ui-compare-run", null);
    List<String> checkpoints = new ArrayList<>();
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
    String leaderboard = browse("evals", "evals");
    Matcher ids = Pattern.compile("href=\"/checkpoints/(\\d+)\">ui-compare-run@(\\d+)").matcher(leaderboard);
    while (ids.find()) {
      checkpoints.add(ids.group(1));
    }
    assertThat(checkpoints).hasSize(2);
    String dom = browse("compare?checkpoint=" + checkpoints.get(0) + "&checkpoint=" + checkpoints.get(1), "compare");
    assertThat(dom).contains("ui-compare-run@100").contains("ui-compare-run@200")
        .contains("coco (coco-val) 0-shot cider-d").contains("80.50").contains("<td class=\"best\">92.25</td>");
  }

  private static int chartPoints(String dom, String chart) {
    Matcher m = Pattern.compile("id=\"chart-" + chart + "\" data-points=\"(\\d+)\"").matcher(dom);
    assertThat(m.find()).withFailMessage("no chart %s in the page", chart).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** The DOM of a page after its scripts ran in headless Chromium; also saves a screenshot. */
  private String browse(String path, String name) throws IOException, InterruptedException {
    Files.createDirectories(SCREENSHOTS);
    // live=0: no event stream, which would keep the page loading forever for --virtual-time-budget
    String url = base.toString() + path + (path.contains("?") ? "&" : "?") + "live=0";
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> common = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--window-size=1400,1200", "--virtual-time-budget=8000");
    List<String> screenshot = new ArrayList<>(common);
    screenshot.add("--screenshot=" + SCREENSHOTS.resolve(name + ".png").toAbsolutePath());
    screenshot.add(url);
    run(screenshot, null);
    List<String> dump = new ArrayList<>(common);
    dump.add("--dump-dom");
    dump.add(url);
    Path out = SCREENSHOTS.resolve(name + ".html");
    run(dump, out);
    return Files.readString(out);
  }

  private static void run(List<String> command, Path stdout) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish within 60 s: " + command);
    }
  }
}
