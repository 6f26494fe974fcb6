package dev.mm1.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.operator.eval.EvalResources;
import dev.mm1.operator.training.CheckpointVolume;
import dev.mm1.operator.training.TrainingResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One naming scheme: the operator's default worker image, manifests/base/kustomization.yaml's
 * images: and the root pom (mm1.image.registry, mm1.image.tag, from which ./mvnw -Pimages package
 * names the images) all agree.
 */
class DefaultImagesTest {
  static final Path BASE = Path.of("../manifests/base/kustomization.yaml");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final List<String> IMAGES = List.of("mm1", "mm1-operator", "mm1-control-plane");

  @Test
  void theDefaultsAreTheRootPomsNamingScheme() {
    var registry = System.getProperty("mm1.image.registry");
    var tag = System.getProperty("mm1.image.tag");
    assertThat(registry).as("surefire passes mm1.image.registry").isNotBlank();

    assertThat(DefaultImages.mm1()).isEqualTo(registry + "/mm1:" + tag);
    assertThat(OperatorSettings.defaults().trainerImage()).isEqualTo(DefaultImages.mm1());
    assertThat(OperatorSettings.defaults().evaluatorImage()).isEqualTo(DefaultImages.mm1());
  }

  @Test
  void kustomizeNamesEveryImageAsTheOperatorDoes() throws IOException {
    var images = new LinkedHashMap<String, String>();
    for (var image : YAML.readTree(BASE.toFile()).path("images")) {
      images.put(image.path("name").asText(), image.path("newName").asText() + ":" + image.path("newTag").asText());
    }

    var expected = new LinkedHashMap<String, String>();
    IMAGES.forEach(name -> expected.put("mm1-platform/" + name, DefaultImages.reference(name)));
    assertThat(images).as(BASE + " images: (update newName/newTag to the root pom's mm1.image.registry and mm1.image.tag)")
        .containsExactlyEntriesOf(expected);
  }

  @Test
  void theDeploymentsNameTheirImagesAndTheWorkerImageByThePlaceholdersKustomizeRewrites() throws IOException {
    var operator = container(Serialization.unmarshal(Files.readString(Path.of("../manifests/operator/deployment.yaml")),
        Deployment.class));
    assertThat(operator.getImage()).isEqualTo("mm1-platform/mm1-operator");
    assertThat(env(operator)).containsEntry("MM1_OPERATOR_TRAINER_IMAGE", "mm1-platform/mm1")
        .containsEntry("MM1_OPERATOR_EVALUATOR_IMAGE", "mm1-platform/mm1");
    var controlPlane = deployments(Files.readString(Path.of("../manifests/control-plane/control-plane.yaml")))
        .get("mm1-control-plane");
    assertThat(container(controlPlane).getImage()).isEqualTo("mm1-platform/mm1-control-plane");
  }

  @Test
  void everyRenderedInstallRunsTheDefaultImages() throws IOException, InterruptedException {
    for (var install : List.of("../manifests", "../manifests/overlays/local", "../manifests/overlays/production")) {
      var deployments = deployments(kustomize(install));
      var operator = container(deployments.get("mm1-operator"));
      assertThat(operator.getImage()).as(install).isEqualTo(DefaultImages.reference("mm1-operator"));
      assertThat(env(operator)).as(install).containsEntry("MM1_OPERATOR_TRAINER_IMAGE", DefaultImages.mm1())
          .containsEntry("MM1_OPERATOR_EVALUATOR_IMAGE", DefaultImages.mm1());
      assertThat(container(deployments.get("mm1-control-plane")).getImage()).as(install)
          .isEqualTo(DefaultImages.reference("mm1-control-plane"));
    }
  }

  @Test
  void trainerPodsRunMm1TrainAndEvaluatorPodsMm1Eval() throws IOException {
    var training = Serialization.unmarshal(Files.readString(Path.of("../manifests/samples/tiny-pretrain.yaml")), MM1Training.class);
    training.getMetadata().setNamespace("team-a");
    training.getMetadata().setUid("uid-1");
    var worker = TrainingResources.job(training, 1, "run-1", "hash", null, OperatorSettings.defaults())
        .getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(worker.getImage()).isEqualTo(DefaultImages.mm1());
    assertThat(worker.getArgs()).containsExactly("train");
    assertThat(worker.getCommand()).as("the image's entrypoint stays").isEmpty();

    var eval = Serialization.unmarshal(Files.readString(Path.of("../manifests/samples/tiny-eval.yaml")), MM1Eval.class);
    eval.getMetadata().setNamespace("team-a");
    eval.getMetadata().setUid("uid-2");
    var checkpoints = CheckpointVolume.of(training);
    var evaluator = EvalResources.job(eval, "run-2", "hash", checkpoints, OperatorSettings.defaults())
        .getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(evaluator.getImage()).isEqualTo(DefaultImages.mm1());
    assertThat(evaluator.getArgs()).containsExactly("eval");
  }

  static Map<String, String> env(Container container) {
    var env = new LinkedHashMap<String, String>();
    container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  static Container container(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  /** The Deployments of a multi-document YAML, by name. */
  static Map<String, Deployment> deployments(String yaml) {
    List<HasMetadata> resources = Serialization.unmarshal(yaml);
    var deployments = new LinkedHashMap<String, Deployment>();
    resources.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .forEach(d -> deployments.put(d.getMetadata().getName(), d));
    return deployments;
  }

  /** kubectl kustomize DIR (skipped where kubectl is not installed; CI has it). */
  static String kustomize(String dir) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")) || Files.isExecutable(Path.of("/usr/local/bin/kubectl")),
        "kubectl is not installed");
    var process = new ProcessBuilder("kubectl", "kustomize", dir).redirectErrorStream(false).start();
    var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    var err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
    return out;
  }
}
