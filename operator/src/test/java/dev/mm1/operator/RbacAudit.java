package dev.mm1.operator;

import dev.mm1.operator.simulation.ApiPath;
import dev.mm1.operator.simulation.SimulatedCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every request the operator makes to a simulated API server during the whole test suite, checked
 * against the RBAC it ships ({@code manifests/operator/rbac.yaml}, generated from
 * {@link OperatorRbac}): after each test class (the extension is registered for all of them through
 * {@code junit-platform.properties}), a call no rule grants fails the build, naming the call and
 * the verb, group and resource a rule would have to grant.
 *
 * <p>The operator's requests are those not sent with the simulated cluster's User-Agent (its own
 * components and the tests acting as users). They are appended to a file of this JVM, since the
 * Quarkus tests load this class in a class loader of their own.
 */
public final class RbacAudit implements AfterAllCallback {
  static final Path RBAC = Path.of("../manifests/operator/rbac.yaml");
  static final Path CALLS = Path.of("target/api-calls-" + ProcessHandle.current().pid() + ".txt");
  /** URLs every authenticated user may GET (the default system:discovery and system:public-info-viewer roles). */
  static final List<String> PUBLIC = List.of("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/version", "/openapi/*");

  /** One rule of a ClusterRole or Role, as RBAC matches it (an empty resourceNames: every name). */
  record Rule(List<String> apiGroups, List<String> resources, List<String> verbs, List<String> resourceNames) {}

  /**
   * The ClusterRole rules and the namespaced Role rules (by namespace) of the manifest. Read as plain
   * YAML, not through Fabric8's model: the Quarkus tests run this in their own class loader, where
   * Fabric8's resource-type registry does not load.
   */
  record Rules(List<Rule> cluster, Map<String, List<Rule>> namespaced) {
    static Rules of(Path manifest) throws IOException {
      var cluster = new ArrayList<Rule>();
      var namespaced = new HashMap<String, List<Rule>>();
      try (var documents = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(manifest))) {
        while (documents.hasNext()) {
          var document = documents.next();
          if (document == null || document.isMissingNode() || document.isNull()) {
            continue;
          }
          var kind = document.path("kind").asText();
          var rules = new ArrayList<Rule>();
          document.path("rules").forEach(rule -> rules.add(new Rule(strings(rule, "apiGroups"), strings(rule, "resources"),
              strings(rule, "verbs"), strings(rule, "resourceNames"))));
          if (kind.equals("ClusterRole")) {
            cluster.addAll(rules);
          } else if (kind.equals("Role")) {
            namespaced.computeIfAbsent(document.path("metadata").path("namespace").asText(), ns -> new ArrayList<>()).addAll(rules);
          }
        }
      }
      return new Rules(cluster, namespaced);
    }

    private static List<String> strings(JsonNode rule, String field) {
      var values = new ArrayList<String>();
      rule.path(field).forEach(value -> values.add(value.asText()));
      return values;
    }
  }

  /** Appends every request of {@code cluster}'s API server that is not the cluster's own to this JVM's call file. */
  public static void record(SimulatedCluster cluster) {
    cluster.apiServer().observe(request -> {
      if (!SimulatedCluster.USER_AGENT.equals(request.userAgent())) {
        append(request.method() + " " + request.path());
      }
    });
  }

  private static synchronized void append(String line) {
    try {
      Files.writeString(CALLS, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (!Files.exists(CALLS)) {
      return;
    }
    var rules = Rules.of(RBAC);
    var denied = new TreeSet<String>();
    for (var line : Files.readAllLines(CALLS)) {
      int space = line.indexOf(' ');
      denied(line.substring(0, space), line.substring(space + 1), rules).ifPresent(denied::add);
    }
    if (!denied.isEmpty()) {
      throw new AssertionError("the operator made calls that " + RBAC + " does not grant (add the rule to OperatorRbac and regenerate):\n  "
          + String.join("\n  ", denied));
    }
  }

  /** Why {@code rules} refuse {@code method path}, naming the call; empty when a rule grants it. */
  static Optional<String> denied(String method, String path, Rules rules) {
    var parsed = ApiPath.parse(path);
    if (parsed.isEmpty()) {
      var bare = path.replaceAll("\\?.*", "");
      boolean open = method.equals("GET") && PUBLIC.stream().anyMatch(p -> p.endsWith("/*") ? bare.startsWith(p.substring(0, p.length() - 1)) : bare.equals(p));
      return open ? Optional.empty() : Optional.of(method + " " + bare + " (non-resource URL)");
    }
    var request = parsed.get();
    var verb = request.verb(method);
    boolean granted = rules.cluster().stream().anyMatch(rule -> grants(rule, request, verb))
        || rules.namespaced().getOrDefault(request.namespace(), List.of()).stream().anyMatch(rule -> grants(rule, request, verb));
    return granted ? Optional.empty() : Optional.of(String.format("%s %s: verb %s on %s %s%s%s", method, path.replaceAll("\\?.*", ""), verb,
        request.group().isEmpty() ? "core" : request.group(), request.resourceWithSubresource(),
        request.name() == null ? "" : " named " + request.name(), request.namespace() == null ? "" : " in namespace " + request.namespace()));
  }

  static boolean grants(Rule rule, ApiPath request, String verb) {
    return matches(rule.apiGroups(), request.group())
        && matches(rule.resources(), request.resourceWithSubresource())
        && matches(rule.verbs(), verb)
        && (rule.resourceNames().isEmpty() || (request.name() != null && rule.resourceNames().contains(request.name())));
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed != null && (allowed.contains("*") || allowed.contains(value));
  }
}
