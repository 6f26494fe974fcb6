package dev.mm1.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket, with the JDK's own
 * client): pages opened at a chosen size and colour scheme, scripts evaluated in them, real mouse
 * and keyboard input, and screenshots. One browser serves a whole test class.
 */
final class Chromium implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private Chromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** Starts a headless browser and connects to its DevTools endpoint. */
  static Chromium start() throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line = err.readLine(); line != null; line = err.readLine()) {
          int at = line.indexOf("ws://");
          if (line.startsWith("DevTools listening on") && at >= 0) {
            endpoint.complete(line.substring(at).trim());
          }
        }
      } catch (IOException ignored) {
        // the browser went away; close() reports nothing more
      }
      endpoint.completeExceptionally(new IOException("chromium exited before it listened for DevTools"));
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    String url;
    try {
      url = endpoint.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("chromium did not start its DevTools endpoint: " + e.getMessage(), e);
    }
    Chromium[] self = new Chromium[1];
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(url), new WebSocket.Listener() {
          private final StringBuilder message = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
              self[0].dispatch(message.toString());
              message.setLength(0);
            }
            ws.request(1);
            return null;
          }
        }).join();
    self[0] = new Chromium(process, profile, socket);
    return self[0];
  }

  private void dispatch(String text) {
    try {
      JsonNode message = JSON.readTree(text);
      if (message.has("id")) {
        CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
        if (reply != null) {
          reply.complete(message);
        }
      }
    } catch (IOException e) {
      pending.values().forEach(f -> f.completeExceptionally(e));
    }
  }

  /** Sends a DevTools command (to a page's session when sessionId is not null) and returns its result. */
  JsonNode send(String sessionId, String method, Map<String, ?> params) {
    int id = ids.incrementAndGet();
    ObjectNode command = JSON.createObjectNode().put("id", id).put("method", method);
    command.set("params", JSON.valueToTree(params));
    if (sessionId != null) {
      command.put("sessionId", sessionId);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    socket.sendText(command.toString(), true).join();
    JsonNode message;
    try {
      message = reply.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("chromium did not answer " + method + " within " + COMMAND_TIMEOUT, e);
    }
    if (message.has("error")) {
      throw new AssertionError(method + " failed: " + message.get("error"));
    }
    return message.get("result");
  }

  /** A new tab of the given size (CSS px) and colour scheme, showing {@code url}. */
  Page open(String url, int width, int height, boolean dark) {
    String target = send(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
    String session = send(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
        .get("sessionId").asText();
    Page page = new Page(this, target, session);
    page.size(width, height);
    send(session, "Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
    page.go(url);
    return page;
  }

  @Override
  public void close() throws IOException {
    socket.abort();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** One tab. */
  static final class Page implements AutoCloseable {
    private final Chromium browser;
    private final String target;
    private final String session;

    Page(Chromium browser, String target, String session) {
      this.browser = browser;
      this.target = target;
      this.session = session;
    }

    void size(int width, int height) {
      browser.send(session, "Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 500));
    }

    void go(String url) {
      browser.send(session, "Page.navigate", Map.of("url", url));
      waitFor("document.readyState === 'complete'");
    }

    /** The value of a script (awaited when it is a promise), as JSON. */
    JsonNode eval(String script) {
      JsonNode result = browser.send(session, "Runtime.evaluate",
          Map.of("expression", script, "returnByValue", true, "awaitPromise", true));
      if (result.has("exceptionDetails")) {
        throw new AssertionError("script failed: " + script + "\n" + result.get("exceptionDetails"));
      }
      return result.path("result").path("value");
    }

    String text(String script) {
      return eval(script).asText();
    }

    /** Polls a condition until it holds; fails with the condition after 30 s. */
    void waitFor(String condition) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!eval("Boolean(" + condition + ")").asBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the page never satisfied: " + condition);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    /** The centre-left corner of an element's box plus (dx, dy), in CSS px of the viewport. */
    double[] point(String selector, double fx, double fy) {
      JsonNode box = eval("(() => { const r = document.querySelector('" + selector + "').getBoundingClientRect();"
          + " return [r.left, r.top, r.width, r.height]; })()");
      return new double[] {box.get(0).asDouble() + box.get(2).asDouble() * fx, box.get(1).asDouble() + box.get(3).asDouble() * fy};
    }

    void scrollIntoView(String selector) {
      eval("document.querySelector('" + selector + "').scrollIntoView({block: 'center'})");
    }

    void mouseMove(double x, double y) {
      browser.send(session, "Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
    }

    /** Presses the left button at one point, moves and releases at another: a drag. */
    void drag(double x1, double y1, double x2, double y2) {
      browser.send(session, "Input.dispatchMouseEvent",
          Map.of("type", "mousePressed", "x", x1, "y", y1, "button", "left", "buttons", 1, "clickCount", 1));
      for (int i = 1; i <= 5; i++) {
        browser.send(session, "Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x1 + (x2 - x1) * i / 5,
            "y", y1 + (y2 - y1) * i / 5, "button", "left", "buttons", 1));
      }
      browser.send(session, "Input.dispatchMouseEvent",
          Map.of("type", "mouseReleased", "x", x2, "y", y2, "button", "left", "buttons", 0, "clickCount", 1));
    }

    /** A key press (down and up) as the focused element receives it: "ArrowRight", "Tab", "+". */
    void key(String key) {
      Map<String, Object> codes = Map.of("ArrowRight", 39, "ArrowLeft", 37, "Tab", 9, "Enter", 13, "+", 187, "-", 189, "0", 48);
      int code = (int) codes.getOrDefault(key, 0);
      Map<String, Object> down = new java.util.HashMap<>(Map.of("type", "keyDown", "key", key, "windowsVirtualKeyCode", code,
          "code", key.length() == 1 ? "" : key));
      if (key.length() == 1) {
        down.put("text", key);
      }
      browser.send(session, "Input.dispatchKeyEvent", down);
      browser.send(session, "Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", key, "windowsVirtualKeyCode", code));
    }

    /** A PNG of the whole page (the viewport grown to the page's height, up to 6 000 px). */
    void screenshot(Path file, int width) throws IOException {
      int height = Math.min(6000, eval("document.documentElement.scrollHeight").asInt());
      size(width, Math.max(200, height));
      try {
        Thread.sleep(300); // charts redraw at the new size
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      String png = browser.send(session, "Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
      Files.createDirectories(file.getParent());
      Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() {
      browser.send(null, "Target.closeTarget", Map.of("targetId", target));
    }
  }
}
