package dev.mm1.controlplane.workloads;

import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.controlplane.problem.ApiException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Trainings and evals as Kubernetes objects, for the UI's actions: start one from a spec (pasted
 * or a sample), suspend or resume a training, delete either. Everything goes through the
 * Kubernetes API, so the API server's validation and the operator apply exactly as to kubectl.
 */
@ApplicationScoped
public class WorkloadService {
  static final String API_VERSION = MM1Training.GROUP + "/" + MM1Training.VERSION;
  private static final Pattern SAMPLE_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]*$");

  private final KubernetesClient kubernetes;
  private final Optional<String> samplesDir;
  private final String defaultNamespace;

  WorkloadService(KubernetesClient kubernetes, @ConfigProperty(name = "mm1.samples.dir") Optional<String> samplesDir,
      @ConfigProperty(name = "mm1.evals.default-namespace") String defaultNamespace) {
    this.kubernetes = kubernetes;
    this.samplesDir = samplesDir.filter(s -> !s.isBlank());
    this.defaultNamespace = defaultNamespace;
  }

  /**
   * One training or eval as the UI lists it.
   *
   * @param kind MM1Training or MM1Eval
   * @param namespace its namespace
   * @param name its name
   * @param phase its phase, or "" before the operator saw it
   * @param progress "120/300" for a training, the checkpoint step for an eval
   * @param suspended whether a training is suspended
   * @param runId its control-plane run, or null
   * @param message what its Ready condition says when not ready
   */
  public record Workload(String kind, String namespace, String name, String phase, String progress, boolean suspended, String runId,
      String message) {
    public boolean training() {
      return kind.equals("MM1Training");
    }
  }

  /** Every MM1Training and MM1Eval the API shows, trainings first, newest first. */
  public List<Workload> list() {
    var workloads = new ArrayList<Workload>();
    try {
      for (var t : kubernetes.resources(MM1Training.class).inAnyNamespace().list().getItems().stream()
          .sorted(Comparator.comparing((MM1Training t) -> t.getMetadata().getCreationTimestamp()).reversed()).toList()) {
        var status = t.getStatus();
        var steps = t.getSpec().optimization == null ? null : t.getSpec().optimization.steps;
        workloads.add(new Workload("MM1Training", t.getMetadata().getNamespace(), t.getMetadata().getName(),
            status == null || status.phase == null ? "" : status.phase.name(),
            (status == null || status.step == null ? 0 : status.step) + "/" + (steps == null ? "?" : steps),
            Boolean.TRUE.equals(t.getSpec().suspend), status == null ? null : status.runId,
            status == null ? null : notReady(status.conditions)));
      }
      for (var e : kubernetes.resources(MM1Eval.class).inAnyNamespace().list().getItems().stream()
          .sorted(Comparator.comparing((MM1Eval e) -> e.getMetadata().getCreationTimestamp()).reversed()).toList()) {
        var status = e.getStatus();
        workloads.add(new Workload("MM1Eval", e.getMetadata().getNamespace(), e.getMetadata().getName(),
            status == null || status.phase == null ? "" : status.phase.name(),
            status == null || status.checkpoint == null || status.checkpoint.step == null ? "" : "checkpoint " + status.checkpoint.step,
            false, status == null ? null : status.runId, status == null ? null : notReady(status.conditions)));
      }
    } catch (KubernetesClientException e) {
      throw new ApiException(503, "the Kubernetes API is not reachable: " + e.getMessage());
    }
    return workloads;
  }

  private static String notReady(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
    return conditions == null ? null : conditions.stream().filter(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus()))
        .map(c -> c.getReason() + ": " + c.getMessage()).findFirst().orElse(null);
  }

  /** The kind of the spec in {@code yaml} (MM1Training or MM1Eval); a bad document is a 400 naming what is wrong. */
  public String kindOf(String yaml) {
    return parse(yaml).getKind();
  }

  /**
   * Creates the MM1Training or MM1Eval in {@code yaml} (in {@code namespace} when it names none) and
   * returns "Kind namespace/name". What the API server refuses (schema, CEL rules, a taken name) is a
   * 400 or 409 with its message, which names the field.
   */
  public String start(String yaml, String namespace) {
    var resource = parse(yaml);
    if (resource.getMetadata().getNamespace() == null || resource.getMetadata().getNamespace().isBlank()) {
      resource.getMetadata().setNamespace(namespace == null || namespace.isBlank() ? defaultNamespace : namespace);
    }
    try {
      // As written, not through the typed classes: a field they do not know must reach the API server, which refuses it.
      kubernetes.genericKubernetesResources(context(resource.getKind())).inNamespace(resource.getMetadata().getNamespace())
          .resource(resource).create();
    } catch (KubernetesClientException e) {
      var message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
      throw e.getCode() == 409 ? ApiException.conflict(message) : ApiException.badRequest(message);
    }
    return resource.getKind() + " " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }

  private static io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext context(String kind) {
    var type = kind.equals("MM1Training") ? MM1Training.class : MM1Eval.class;
    return io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.fromResourceType(type);
  }

  private GenericKubernetesResource parse(String yaml) {
    if (yaml == null || yaml.isBlank()) {
      throw ApiException.badRequest("spec: paste an MM1Training or MM1Eval (YAML or JSON), or pick a sample");
    }
    GenericKubernetesResource resource;
    try {
      resource = kubernetes.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    } catch (RuntimeException e) {
      throw ApiException.badRequest("spec: not a YAML or JSON object: " + e.getMessage());
    }
    if (resource == null || !API_VERSION.equals(resource.getApiVersion())
        || !("MM1Training".equals(resource.getKind()) || "MM1Eval".equals(resource.getKind()))) {
      throw ApiException.badRequest("spec: expected apiVersion " + API_VERSION + " and kind MM1Training or MM1Eval, got "
          + (resource == null ? "nothing" : resource.getApiVersion() + " " + resource.getKind()));
    }
    if (resource.getMetadata() == null || resource.getMetadata().getName() == null || resource.getMetadata().getName().isBlank()) {
      throw ApiException.badRequest("metadata.name is required");
    }
    return resource;
  }

  /** Sets spec.suspend of a training: the operator stops the gang, or starts the next attempt from the latest checkpoint. */
  public void suspend(String namespace, String name, boolean suspend) {
    try {
      var patched = kubernetes.resources(MM1Training.class).inNamespace(namespace).withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + suspend + "}}");
      if (patched == null) {
        throw ApiException.notFound("no MM1Training " + namespace + "/" + name);
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        throw ApiException.notFound("no MM1Training " + namespace + "/" + name);
      }
      throw ApiException.badRequest(e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage());
    }
  }

  /** Deletes a training or an eval (its children go with it; checkpoints stay). */
  public void delete(String kind, String namespace, String name) {
    var type = switch (kind) {
      case "MM1Training" -> MM1Training.class;
      case "MM1Eval" -> MM1Eval.class;
      default -> throw ApiException.badRequest("kind: '" + kind + "' is not MM1Training or MM1Eval");
    };
    var deleted = kubernetes.resources(type).inNamespace(namespace).withName(name).delete();
    if (deleted.isEmpty()) {
      throw ApiException.notFound("no " + kind + " " + namespace + "/" + name);
    }
  }

  /** The sample specs offered in the UI (mm1.samples.dir, e.g. the repository's manifests/samples). */
  public List<String> samples() {
    if (samplesDir.isEmpty() || !Files.isDirectory(Path.of(samplesDir.get()))) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(Path.of(samplesDir.get()))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).map(f -> f.getFileName().toString().replaceAll("\\.yaml$", ""))
          .sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The text of sample {@code name}. */
  public String sample(String name) {
    if (name == null || !SAMPLE_NAME.matcher(name).matches() || !samples().contains(name)) {
      throw ApiException.badRequest("sample: '" + name + "' is not one of " + samples());
    }
    try {
      return Files.readString(Path.of(samplesDir.orElseThrow(), name + ".yaml"));
    } catch (IOException e) {
      throw new ApiException(503, "sample " + name + " cannot be read: " + e.getMessage());
    }
  }
}
