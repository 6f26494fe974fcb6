package dev.mm1.controlplane.bench;

import dev.mm1.controlplane.db.EmbeddedDatabase;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.postgresql.PGConnection;

/**
 * {@code ./mm1 bench control-plane}: against one embedded PostgreSQL, (a) metric points/s through
 * {@code POST /api/v1/runs/{id}/metrics} in batches of 1 000, from one client and from several at
 * once, beside PostgreSQL COPY of the same rows into a table of one row per point (in interleaved
 * rounds), (b) p50/p95 of a downsampled 1 000-point query over a 1 000 000-point series beside a
 * plain SELECT of all its rows (from that table), and (c) p50/p95 of a comparison's query, five
 * runs of 1 000 000 points overlaid at 1 000 points per series, beside the same query for one run
 * (in turns). Starts the packaged control plane
 * ({@code control-plane/target/quarkus-app}; build it with {@code ./mvnw -pl control-plane -am
 * package -DskipTests}) in its own JVM. The last line is one JSON object.
 */
public final class ControlPlaneBenchmark {
  private static final String TOKEN = "mm1_benchmark-admin-token-0123456789";
  private static final int POINTS = Integer.getInteger("mm1.bench.points", 1_000_000);
  private static final int BATCH = 1_000;
  private static final int QUERIES = 50;
  private static final int WARM_UP_BATCHES = Integer.getInteger("mm1.bench.warm-up-batches", 300);
  private static final int CLIENTS = Integer.getInteger("mm1.bench.clients", 4);
  private static final int ROUNDS = Integer.getInteger("mm1.bench.rounds", 4);
  /** Runs a comparison overlays, each holding the POINTS points of the ingestion runs. */
  private static final int OVERLAY_RUNS = 5;
  /** Points per series a comparison chart asks for (about one per pixel). */
  private static final int OVERLAY_MAX_POINTS = 1000;

  /**
   * Where COPY writes the same rows: one row per point with the idempotency key as primary key,
   * the usual layout (the control plane's own before it stored points in chunks). Unpartitioned,
   * the fastest target for COPY.
   */
  private static final String POINT_TABLE = """
      CREATE TABLE bench_point (step bigint NOT NULL, value double precision NOT NULL,
        recorded_at timestamptz NOT NULL, series_id integer NOT NULL, PRIMARY KEY (series_id, step))""";

  private ControlPlaneBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(System.getProperty("mm1.home", "."));
    Path app = home.resolve("control-plane/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(app)) {
      System.err.println("bench control-plane: " + app + " is missing; build it with"
          + " ./mvnw -pl control-plane -am package -DskipTests");
      System.exit(2);
    }
    int port = 18_000 + (int) (ProcessHandle.current().pid() % 1000);
    try (EmbeddedDatabase db = EmbeddedDatabase.startTemporary()) {
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", app.toString()).redirectErrorStream(true)
          .redirectOutput(home.resolve("control-plane/target/bench-server.log").toFile());
      builder.environment().putAll(java.util.Map.of("MM1_DB_URL", db.jdbcUrl(), "MM1_PORT", String.valueOf(port),
          "MM1_HOST", "127.0.0.1", "MM1_ADMIN_TOKEN", TOKEN));
      Process server = builder.start();
      try {
        measure(db, "http://127.0.0.1:" + port);
      } finally {
        server.destroy();
        server.waitFor();
      }
    }
  }

  private static void measure(EmbeddedDatabase db, String base) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    waitForReady(http, base);
    String runId = createRun(http, base, "bench");
    String concurrentRunId = createRun(http, base, "bench-concurrent");
    double[] values = new double[POINTS];
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < POINTS; i++) {
      values[i] = 3 * Math.exp(-i / 300_000.0) + random.nextGaussian() * 0.05;
    }
    // Bodies are built before the clock starts: the figure is the server's rate, not the client's.
    byte[][] bodies = new byte[POINTS / BATCH][];
    for (int b = 0; b < bodies.length; b++) {
      StringBuilder body = new StringBuilder("{\"points\":[");
      for (int i = b * BATCH; i < (b + 1) * BATCH; i++) {
        body.append(i == b * BATCH ? "" : ",").append("{\"name\":\"loss\",\"step\":").append(i)
            .append(",\"value\":").append(values[i]).append('}');
      }
      bodies[b] = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
    // Warm-up, not timed: the first batches run while the JIT compiles the request path (seconds on
    // 2 cores), a cost a long-running server pays once. They go to a run of their own.
    String warmUpRunId = createRun(http, base, "bench-warm-up");
    URI uri = URI.create(base);
    ThreadLocal<LoadConnection> connections = ThreadLocal.withInitial(() -> new LoadConnection(uri));
    for (int b = 0; b < Math.min(WARM_UP_BATCHES, bodies.length); b++) {
      connections.get().post("/api/v1/runs/" + warmUpRunId + "/metrics", bodies[b]);
    }

    // The three ways of storing the rows take turns, a slice of the rows each per round, so that a
    // machine whose speed drifts during the run (shared cores) slows all three alike. Each writes
    // to its own series of the same table: one client in sequence; CLIENTS clients at once (several
    // runs, or ranks, reporting together); COPY of the same rows on one connection.
    double apiSeconds = 0;
    double concurrentSeconds = 0;
    double copySeconds = 0;
    double[] roundRatios = new double[ROUNDS];
    double[] concurrentRoundRatios = new double[ROUNDS];
    int batchesPerRound = bodies.length / ROUNDS;
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, "");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(CLIENTS)) {
      int copySeries = 1; // bench_point holds this one series
      try (Statement s = c.createStatement()) {
        s.execute(POINT_TABLE);
      }
      for (int round = 0; round < ROUNDS; round++) {
        int first = round * batchesPerRound;
        int last = round == ROUNDS - 1 ? bodies.length : first + batchesPerRound;
        long start = System.nanoTime();
        for (int b = first; b < last; b++) {
          connections.get().post("/api/v1/runs/" + runId + "/metrics", bodies[b]);
        }
        double api = (System.nanoTime() - start) / 1e9;

        start = System.nanoTime();
        List<java.util.concurrent.Future<String>> sent = new ArrayList<>();
        for (int b = first; b < last; b++) {
          byte[] body = bodies[b];
          sent.add(pool.submit(() -> connections.get().post("/api/v1/runs/" + concurrentRunId + "/metrics", body)));
        }
        for (var f : sent) {
          f.get();
        }
        double concurrent = (System.nanoTime() - start) / 1e9;

        StringBuilder rows = new StringBuilder();
        for (int i = first * BATCH; i < last * BATCH; i++) {
          rows.append(copySeries).append('\t').append(i).append('\t').append(values[i]).append("\t2026-01-01 00:00:00+00\n");
        }
        String data = rows.toString();
        start = System.nanoTime();
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(
            "COPY bench_point (series_id, step, value, recorded_at) FROM STDIN", new StringReader(data));
        double copy = (System.nanoTime() - start) / 1e9;

        apiSeconds += api;
        concurrentSeconds += concurrent;
        copySeconds += copy;
        roundRatios[round] = copy / api;
        concurrentRoundRatios[round] = copy / concurrent;
      }
    }

    double selectAllMs;
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, "")) {
      try (Statement s = c.createStatement()) {
        s.execute("VACUUM ANALYZE bench_point");
      }
      double[] selects = new double[5];
      for (int k = 0; k < selects.length; k++) {
        long start = System.nanoTime();
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT step, value FROM bench_point ORDER BY series_id, step")) {
          while (rs.next()) {
            rs.getLong(1);
            rs.getDouble(2);
          }
        }
        selects[k] = (System.nanoTime() - start) / 1e6;
      }
      Arrays.sort(selects);
      selectAllMs = selects[selects.length / 2];
    }

    double[] latencies = new double[QUERIES];
    String url = base + "/api/v1/runs/" + runId + "/metrics?name=loss&maxPoints=1000";
    for (int k = -5; k < QUERIES; k++) { // 5 warm-up queries
      long t = System.nanoTime();
      String body = get(http, url);
      if (k >= 0) {
        latencies[k] = (System.nanoTime() - t) / 1e6;
      }
      if (k == 0 && !body.contains("\"downsampled\":true")) {
        throw new IllegalStateException("the query was not downsampled: " + body.substring(0, 200));
      }
    }
    Arrays.sort(latencies);

    // A comparison overlays OVERLAY_RUNS runs of POINTS points each in one request
    // (GET /api/v1/metrics?run=…&run=…); beside it, in turns, the same request for one run.
    List<String> overlayRuns = new ArrayList<>(List.of(runId, concurrentRunId));
    while (overlayRuns.size() < OVERLAY_RUNS) {
      String extra = createRun(http, base, "bench-overlay-" + overlayRuns.size());
      for (byte[] body : bodies) {
        connections.get().post("/api/v1/runs/" + extra + "/metrics", body);
      }
      overlayRuns.add(extra);
    }
    String single = base + "/api/v1/metrics?run=" + runId + "&name=loss&maxPoints=" + OVERLAY_MAX_POINTS;
    String overlay = base + "/api/v1/metrics?run=" + String.join("&run=", overlayRuns) + "&name=loss&maxPoints="
        + OVERLAY_MAX_POINTS;
    double[] singleMs = new double[QUERIES];
    double[] overlayMs = new double[QUERIES];
    int mostPoints = 0;
    for (int k = -5; k < QUERIES; k++) { // 5 warm-up turns
      long t = System.nanoTime();
      get(http, single);
      double one = (System.nanoTime() - t) / 1e6;
      t = System.nanoTime();
      String body = get(http, overlay);
      double all = (System.nanoTime() - t) / 1e6;
      if (k >= 0) {
        singleMs[k] = one;
        overlayMs[k] = all;
      }
      if (k == -5) {
        mostPoints = checkOverlay(body, overlayRuns.size());
      }
    }
    Arrays.sort(singleMs);
    Arrays.sort(overlayMs);
    double singleP95 = singleMs[(int) Math.ceil(QUERIES * 0.95) - 1];
    double overlayP95 = overlayMs[(int) Math.ceil(QUERIES * 0.95) - 1];
    Arrays.sort(roundRatios);
    Arrays.sort(concurrentRoundRatios);
    double p50 = latencies[QUERIES / 2];
    double p95 = latencies[(int) Math.ceil(QUERIES * 0.95) - 1];
    double apiRate = POINTS / apiSeconds;
    double concurrentRate = POINTS / concurrentSeconds;
    double copyRate = POINTS / copySeconds;
    System.out.printf(Locale.ROOT, "ingestion, batches of %d in %d rounds: PostgreSQL COPY %.0f points/s%n", BATCH, ROUNDS, copyRate);
    System.out.printf(Locale.ROOT, "  HTTP API, one client:  %.0f points/s = %.1f %% of COPY (rounds %.1f..%.1f %%)%n",
        apiRate, 100 * apiRate / copyRate, 100 * roundRatios[0], 100 * roundRatios[ROUNDS - 1]);
    System.out.printf(Locale.ROOT, "  HTTP API, %d clients: %.0f points/s = %.1f %% of COPY (rounds %.1f..%.1f %%)%n",
        CLIENTS, concurrentRate, 100 * concurrentRate / copyRate, 100 * concurrentRoundRatios[0],
        100 * concurrentRoundRatios[ROUNDS - 1]);
    System.out.printf(Locale.ROOT, "query over %d points: downsampled to 1000 p50 %.1f ms, p95 %.1f ms; plain SELECT of all rows %.1f ms%n",
        POINTS, p50, p95, selectAllMs);
    System.out.printf(Locale.ROOT, "overlay of %d runs x %d points, maxPoints %d (at most %d points per series):"
            + " p50 %.1f ms, p95 %.1f ms; one run alone p50 %.1f ms, p95 %.1f ms; p95 ratio %.2f (goal <= 2)%n",
        overlayRuns.size(), POINTS, OVERLAY_MAX_POINTS, mostPoints, overlayMs[QUERIES / 2], overlayP95,
        singleMs[QUERIES / 2], singleP95, overlayP95 / singleP95);
    System.out.printf(Locale.ROOT, "{\"points\":%d,\"batch\":%d,\"rounds\":%d,\"copy_points_per_s\":%.0f,"
            + "\"api_points_per_s\":%.0f,\"api_to_copy_ratio\":%.3f,"
            + "\"clients\":%d,\"concurrent_api_points_per_s\":%.0f,\"concurrent_api_to_copy_ratio\":%.3f,"
            + "\"downsampled_p50_ms\":%.2f,\"downsampled_p95_ms\":%.2f,\"select_all_ms\":%.2f,"
            + "\"select_all_to_p95_ratio\":%.1f,\"overlay_runs\":%d,\"overlay_max_points\":%d,"
            + "\"overlay_most_points_per_series\":%d,\"overlay_p50_ms\":%.2f,\"overlay_p95_ms\":%.2f,"
            + "\"single_run_p50_ms\":%.2f,\"single_run_p95_ms\":%.2f,\"overlay_to_single_p95_ratio\":%.2f}%n",
        POINTS, BATCH, ROUNDS, copyRate, apiRate, apiRate / copyRate, CLIENTS, concurrentRate, concurrentRate / copyRate,
        p50, p95, selectAllMs, selectAllMs / p95, overlayRuns.size(), OVERLAY_MAX_POINTS, mostPoints,
        overlayMs[QUERIES / 2], overlayP95, singleMs[QUERIES / 2], singleP95, overlayP95 / singleP95);
  }

  /** Checks that the overlay answered every run's series with at most maxPoints points; the most it returned. */
  private static int checkOverlay(String body, int runs) throws IOException {
    com.fasterxml.jackson.databind.JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
    if (answer.size() != runs) {
      throw new IllegalStateException("the overlay answered " + answer.size() + " runs, not " + runs);
    }
    int most = 0;
    for (com.fasterxml.jackson.databind.JsonNode run : answer) {
      com.fasterxml.jackson.databind.JsonNode series = run.path("series").path(0);
      int points = series.path("steps").size();
      if (points > OVERLAY_MAX_POINTS || points < OVERLAY_MAX_POINTS / 4 || !series.path("downsampled").asBoolean()) {
        throw new IllegalStateException("run " + run.path("runId").asText() + ": " + points
            + " points (downsampled " + series.path("downsampled") + ") for maxPoints " + OVERLAY_MAX_POINTS);
      }
      most = Math.max(most, points);
    }
    return most;
  }

  /**
   * The load generator's HTTP/1.1 keep-alive connection: one request at a time, sent and read by
   * the calling thread. The JDK's HttpClient would spend about half a millisecond of the 2 shared
   * cores and three thread hand-offs per request, a cost of the client that the figure, the
   * server's rate, should not carry (as wrk or h2load would not).
   */
  private static final class LoadConnection {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final String host;

    LoadConnection(URI base) {
      try {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setTcpNoDelay(true);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        host = base.getHost() + ":" + base.getPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** POSTs a JSON body; answers the response body, or throws on a status other than 2xx. */
    String post(String path, byte[] body) throws IOException {
      out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      String status = line();
      long length = -1;
      boolean chunked = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      if (chunked) {
        for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
            size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
          response.write(in.readNBytes(size));
          line();
        }
        line();
      } else if (length >= 0) {
        response.write(in.readNBytes((int) length));
      } else {
        throw new IOException(path + ": the response has neither a length nor chunks: " + status);
      }
      String text = response.toString(StandardCharsets.UTF_8);
      if (!status.matches("HTTP/1\\.1 2\\d\\d.*")) {
        throw new IllegalStateException(path + " answered " + status + ": " + text);
      }
      return text;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("the control plane closed the connection");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }

  private static String createRun(HttpClient http, String base, String name) throws Exception {
    return post(http, base + "/api/v1/runs", "{\"name\":\"" + name + "\",\"namespace\":\"bench\",\"kind\":\"Training\","
        + "\"externalId\":\"" + name + "-" + System.nanoTime() + "\"}").replaceAll(".*\"id\":\"(\\d+)\".*", "$1");
  }

  private static void waitForReady(HttpClient http, String base) throws Exception {
    for (int i = 0; i < 120; i++) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // still starting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the control plane did not become ready within 60 s; see control-plane/target/bench-server.log");
  }

  private static String post(HttpClient http, String url, String body) throws Exception {
    return check(http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString()));
  }

  private static String get(HttpClient http, String url) throws Exception {
    return check(http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString()));
  }

  private static String check(HttpResponse<String> response) {
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(response.request().uri() + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
