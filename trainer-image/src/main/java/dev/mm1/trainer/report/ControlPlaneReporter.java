package dev.mm1.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.MetricBatch;
import dev.mm1.api.rest.MetricPoint;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.StateTransition;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reports a run to the control plane without ever holding up training. Everything to report is
 * first written to local files beside the checkpoints: the metrics in {@code metrics.jsonl} and
 * state changes and committed checkpoints in {@code events.jsonl}. A background thread sends what
 * is new every few seconds (metrics in batches) and records how far it got in
 * {@code report-offsets.json}, so an outage, or a restart of the process, loses nothing: sending
 * resumes from the recorded offsets, and the control plane's idempotent API (metrics by run, name
 * and step; checkpoints by step) makes a resend harmless.
 */
public final class ControlPlaneReporter implements AutoCloseable {
  public static final String EVENTS_FILE = "events.jsonl";
  public static final String OFFSETS_FILE = "report-offsets.json";
  static final int MAX_POINTS_PER_BATCH = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final URI base;
  private final String token;
  private final String runId;
  private final Path metrics;
  private final Path events;
  private final Path offsets;
  private final Duration interval;
  private final Consumer<String> log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Object lock = new Object();
  private final Thread sender;
  private long metricsOffset;
  private long eventsOffset;
  private volatile boolean closing;
  private volatile boolean reachable = true;
  /** Bumped by every new report and flush; a pass that started at generation g and sent everything completes g. */
  private long requested;
  private long completed = -1;

  /**
   * @param base the control plane's base URL
   * @param runId the run reported to
   * @param dir where metrics.jsonl, events.jsonl and the offsets are
   * @param interval time between sends
   */
  public ControlPlaneReporter(URI base, String token, String runId, Path dir, Duration interval, Consumer<String> log)
      throws IOException {
    this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
    this.token = token;
    this.runId = runId;
    this.metrics = dir.resolve(MetricsLog.FILE); // absent for an eval: nothing to send from it
    this.events = dir.resolve(EVENTS_FILE);
    this.offsets = dir.resolve(OFFSETS_FILE);
    this.interval = interval;
    this.log = log;
    Files.createDirectories(dir);
    readOffsets();
    this.sender = Thread.ofPlatform().daemon().name("mm1-reporter").start(this::sendLoop);
  }

  /** Records a state change of attempt {@code attempt} to report (Running, Succeeded, Failed). */
  public void state(RunState state, String reason, String message, int attempt) throws IOException {
    ObjectNode event = JSON.createObjectNode();
    event.put("kind", "state");
    event.set("body", JSON.valueToTree(new StateTransition(state, reason, message, attempt)));
    appendEvent(event);
  }

  /** Records a committed checkpoint to report. */
  public void checkpoint(CheckpointRecord record) throws IOException {
    ObjectNode event = JSON.createObjectNode();
    event.put("kind", "checkpoint");
    event.set("body", JSON.valueToTree(record));
    appendEvent(event);
  }

  /** Records an eval's scores to report ({@code POST /api/v1/runs/{id}/results}; a repeat replaces them). */
  public void results(java.util.List<dev.mm1.api.rest.EvalResultRecord> results) throws IOException {
    ObjectNode event = JSON.createObjectNode();
    event.put("kind", "results");
    event.set("body", JSON.valueToTree(results));
    appendEvent(event);
  }

  private void appendEvent(ObjectNode event) throws IOException {
    synchronized (lock) {
      Files.writeString(events, JSON.writeValueAsString(event) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      requested++;
      lock.notifyAll();
    }
  }

  /** Sends what is new now; waits up to {@code timeout}. Returns whether everything was sent. */
  public boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      long wanted = ++requested;
      lock.notifyAll();
      while (completed < wanted && System.nanoTime() < deadline) {
        try {
          lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return completed >= wanted;
    }
  }

  /** Whether the last attempt to send succeeded. */
  public boolean reachable() {
    return reachable;
  }

  private void sendLoop() {
    long backoff = interval.toMillis();
    while (!closing) {
      long generation;
      synchronized (lock) {
        generation = requested;
      }
      boolean ok;
      try {
        ok = sendNew();
      } catch (RuntimeException e) {
        log.accept("reporting to " + base + " failed: " + e.getMessage());
        ok = false;
      }
      synchronized (lock) {
        if (ok) {
          completed = generation;
          lock.notifyAll();
        }
        backoff = ok ? interval.toMillis() : Math.min(30_000, backoff * 2);
        try {
          if (requested == generation || !ok) {
            lock.wait(backoff);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Sends every complete new line of both files; true when nothing is left. */
  private boolean sendNew() {
    try {
      var newEvents = lines(events, eventsOffset);
      for (var line : newEvents.lines()) {
        sendEvent(JSON.readTree(line.text()));
        eventsOffset = line.end();
        writeOffsets();
      }
      while (true) {
        var batch = lines(metrics, metricsOffset);
        if (batch.lines().isEmpty()) {
          break;
        }
        var points = new ArrayList<MetricPoint>();
        long end = metricsOffset;
        for (var line : batch.lines()) {
          addPoints(JSON.readTree(line.text()), points);
          end = line.end();
          if (points.size() >= MAX_POINTS_PER_BATCH) {
            break;
          }
        }
        if (!points.isEmpty()) {
          post("api/v1/runs/" + runId + "/metrics", new MetricBatch(points), false);
        }
        metricsOffset = end;
        writeOffsets();
      }
      if (!reachable) {
        log.accept("control plane " + base + " is reachable again; the spooled reports were sent");
      }
      reachable = true;
      return true;
    } catch (IOException e) {
      if (reachable) {
        log.accept("control plane " + base + " unreachable (" + e.getMessage() + "); reports are spooled in "
            + metrics.getParent() + " and sent when it is back");
      }
      reachable = false;
      return false;
    }
  }

  private void sendEvent(JsonNode event) throws IOException {
    switch (event.path("kind").asText()) {
      case "state" -> post("api/v1/runs/" + runId + "/state", event.get("body"), false);
      case "checkpoint" -> post("api/v1/runs/" + runId + "/checkpoints", event.get("body"), true);
      case "results" -> post("api/v1/runs/" + runId + "/results", event.get("body"), false);
      default -> log.accept("ignoring an unknown report in " + events + ": " + event);
    }
  }

  private static void addPoints(JsonNode line, List<MetricPoint> points) {
    long step = line.path("step").asLong();
    Instant time = line.hasNonNull("time") ? Instant.parse(line.get("time").asText()) : null;
    line.properties().forEach(field -> {
      var name = field.getKey();
      if (!name.equals("step") && !name.equals("time") && !name.equals("attempt") && field.getValue().isNumber()
          && Double.isFinite(field.getValue().asDouble())) {
        points.add(new MetricPoint(name, step, field.getValue().asDouble(), time));
      }
    });
  }

  /**
   * POSTs {@code body}. IOException when the control plane cannot be reached or answers 5xx, 429,
   * 408 or 404 (retried later); other 4xx answers are permanent and logged, and the report is dropped.
   */
  private void post(String path, Object body, boolean conflictIsDone) throws IOException {
    var request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    int status = response.statusCode();
    if (status / 100 == 2 || (status == 409 && conflictIsDone)) {
      return;
    }
    // 404: a run the operator created the pods for before the control plane registered it (the CR's
    // UID stands in as the run id until then); it appears once the control plane is back.
    if (status >= 500 || status == 429 || status == 408 || status == 404) {
      throw new IOException("HTTP " + status + " from " + request.uri());
    }
    log.accept("the control plane refused a report to " + request.uri() + " (HTTP " + status + "): "
        + response.body().replaceAll("\\s+", " ") + "; it is dropped");
  }

  private record Line(String text, long end) {}

  private record Lines(List<Line> lines) {}

  /** Complete lines of {@code file} from byte {@code offset} (at most 8 MB at a time). */
  private static Lines lines(Path file, long offset) throws IOException {
    var out = new ArrayList<Line>();
    if (!Files.isRegularFile(file)) {
      return new Lines(out);
    }
    try (var raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (length <= offset) {
        return new Lines(out);
      }
      var bytes = new byte[(int) Math.min(length - offset, 8 << 20)];
      raf.seek(offset);
      raf.readFully(bytes);
      int start = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          out.add(new Line(new String(bytes, start, i - start, StandardCharsets.UTF_8), offset + i + 1));
          start = i + 1;
        }
      }
    }
    return new Lines(out);
  }

  private void readOffsets() {
    try {
      if (Files.isRegularFile(offsets)) {
        var node = JSON.readTree(Files.readString(offsets));
        metricsOffset = node.path("metrics").asLong(0);
        eventsOffset = node.path("events").asLong(0);
      }
    } catch (IOException e) {
      log.accept("ignoring unreadable " + offsets + " (" + e.getMessage() + "); everything is sent again");
    }
  }

  private void writeOffsets() throws IOException {
    var node = JSON.createObjectNode().put("metrics", metricsOffset).put("events", eventsOffset);
    var temporary = offsets.resolveSibling(OFFSETS_FILE + ".tmp");
    Files.writeString(temporary, node.toString());
    Files.move(temporary, offsets, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    closing = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
