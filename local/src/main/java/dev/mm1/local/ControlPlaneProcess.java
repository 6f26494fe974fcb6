package dev.mm1.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The control plane of {@code ./mm1 up}: the control-plane module's packaged Quarkus application
 * (built on first use), on its embedded PostgreSQL with the data under the local home, reading the
 * local API server through the kubeconfig; and the tokens the operator and the pods use, created
 * once through its API with the local admin token.
 */
final class ControlPlaneProcess {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Modules whose sources go into the packaged control plane. */
  private static final List<String> SOURCES = List.of("control-plane", "api", "db");

  private ControlPlaneProcess() {}

  /** Tokens of the processes that report to the control plane. */
  record Tokens(String operator, String pods) {}

  static Path application(Path repo) {
    return repo.resolve("control-plane/target/quarkus-app/quarkus-run.jar");
  }

  /**
   * Packages the control plane when its application is missing or older than its sources (the
   * launcher's build compiles classes only; a Quarkus application needs {@code package}).
   */
  static void ensurePackaged(Path repo, Consumer<String> progress) throws IOException, InterruptedException {
    var jar = application(repo);
    if (Files.exists(jar) && !newer(repo, packagedAt(repo))) {
      return;
    }
    progress.accept("building the control plane application (first use or sources changed; about a minute) ...");
    var command = List.of(repo.resolve("mvnw").toString(), "-q", "-f", repo.resolve("pom.xml").toString(), "-pl", "control-plane", "-am",
        "package", "-DskipTests");
    var process = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    if (process.waitFor() != 0 || !Files.exists(jar)) {
      throw new IOException("building the control plane failed (" + String.join(" ", command) + "); see the output above");
    }
  }

  private static FileTime packagedAt(Path repo) throws IOException {
    var app = repo.resolve("control-plane/target/quarkus-app/app");
    if (!Files.isDirectory(app)) {
      return FileTime.fromMillis(0);
    }
    try (Stream<Path> files = Files.list(app)) {
      return files.map(ControlPlaneProcess::modified).max(FileTime::compareTo).orElse(FileTime.fromMillis(0));
    }
  }

  private static boolean newer(Path repo, FileTime than) throws IOException {
    for (var module : SOURCES) {
      var dir = repo.resolve(module).resolve("src/main");
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.walk(dir)) {
          if (files.anyMatch(f -> Files.isRegularFile(f) && modified(f).compareTo(than) > 0)) {
            return true;
          }
        }
      }
      if (modified(repo.resolve(module).resolve("pom.xml")).compareTo(than) > 0) {
        return true;
      }
    }
    return modified(repo.resolve("pom.xml")).compareTo(than) > 0;
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  /** The supervised control-plane process (not started yet). */
  static Supervised process(Path repo, LocalHome home, int port, int databasePort, String adminToken, Consumer<String> notice) {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var env = new java.util.LinkedHashMap<String, String>();
    env.put("MM1_PORT", Integer.toString(port));
    env.put("MM1_HOST", "127.0.0.1");
    env.put("MM1_DATA_DIR", home.postgres().toString());
    env.put("MM1_EMBEDDED_DB_PORT", Integer.toString(databasePort));
    env.put("MM1_ADMIN_TOKEN", adminToken);
    // One user's machine: anyone here may look; writes still need a token.
    env.put("MM1_ANONYMOUS_READ", "true");
    env.put("MM1_EVAL_NAMESPACE", "default");
    env.put("MM1_SAMPLES_DIR", repo.resolve("manifests/samples").toString());
    env.put("KUBECONFIG", home.kubeconfig().toString());
    // The JDK HTTP client of the trainers asks for an h2c upgrade on every request; the control
    // plane's metric route (a body handler in front of Quarkus REST) answers those with 500
    // "Request has already been read". Plain HTTP/1.1 until the control plane handles it.
    env.put("QUARKUS_HTTP_HTTP2", "false");
    var command = new java.util.ArrayList<String>(List.of(java));
    command.addAll(Logs.JVM_OPTIONS);
    command.addAll(List.of("-jar", application(repo).toString()));
    return new Supervised("control plane", command, env, home.logs().resolve("control-plane.log"), notice);
  }

  /** Waits until the control plane answers ready, or fails with where to look. */
  static void awaitReady(URI url, Supervised process, Duration timeout, Path log) throws IOException, InterruptedException {
    var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    var deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      try {
        var response = client.send(HttpRequest.newBuilder(url.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (process.starts() > 2) {
        throw new IOException("the control plane keeps exiting at start; see " + log);
      }
      Thread.sleep(500);
    }
    throw new IOException("the control plane did not become ready within " + timeout.toSeconds() + " s; see " + log);
  }

  /**
   * The operator's and the pods' tokens: the ones saved in the local home when the control plane
   * still accepts them, else new ones (a fresh database).
   */
  static Tokens tokens(URI url, String adminToken, Path file) throws IOException, InterruptedException {
    var client = HttpClient.newHttpClient();
    if (Files.exists(file)) {
      var saved = JSON.readTree(Files.readString(file));
      var tokens = new Tokens(saved.path("operator").asText(), saved.path("pods").asText());
      if (valid(client, url, tokens.operator()) && valid(client, url, tokens.pods())) {
        return tokens;
      }
    }
    var tokens = new Tokens(create(client, url, adminToken, "local-operator", List.of("ingest", "read", "evals")),
        create(client, url, adminToken, "local-pods", List.of("ingest", "read")));
    Files.writeString(file, JSON.createObjectNode().put("operator", tokens.operator()).put("pods", tokens.pods()).toString());
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    return tokens;
  }

  /** Whether the control plane still knows {@code token} (an unknown token is refused even where anonymous reads are allowed). */
  private static boolean valid(HttpClient client, URI url, String token) throws IOException, InterruptedException {
    var response = client.send(HttpRequest.newBuilder(url.resolve("/api/v1/runs?limit=1")).header("Authorization", "Bearer " + token)
        .GET().build(), HttpResponse.BodyHandlers.discarding());
    return response.statusCode() == 200;
  }

  private static String create(HttpClient client, URI url, String adminToken, String name, List<String> scopes)
      throws IOException, InterruptedException {
    var body = JSON.createObjectNode().put("name", name);
    var array = body.putArray("scopes");
    scopes.forEach(array::add);
    var response = client.send(HttpRequest.newBuilder(url.resolve("/api/v1/tokens")).header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201 && response.statusCode() != 200) {
      throw new IOException("creating the " + name + " token failed: " + response.statusCode() + " " + response.body());
    }
    JsonNode created = JSON.readTree(response.body());
    return created.path("secret").asText();
  }
}
