package dev.mm1.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingStatus;
import dev.mm1.api.v1alpha1.TrainingPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl against the local API server, as a user types it: apply (with kubectl's default strict
 * field validation), get with the printer columns, get -w, describe, explain, delete. Needs a
 * kubectl of 1.27 or newer on the PATH (skipped without one).
 */
public class KubectlTest {
  @TempDir Path dir;
  LocalApiServer server;
  KubernetesClient client;
  Path kubeconfig;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void start() throws IOException {
    Assumptions.assumeTrue(kubectlAvailable(), "kubectl is not installed");
    server = LocalApiServer.start(new InetSocketAddress("127.0.0.1", 0), dir.resolve("objects.json"), LocalApiServerTest.crds());
    client = server.client();
    kubeconfig = dir.resolve("kubeconfig");
    new dev.mm1.local.LocalHome(dir).writeKubeconfig(server.url().toString());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      client.close();
      server.close();
    }
  }

  /** Whether a kubectl runs here (the end-to-end tests use it when it does). */
  public static boolean kubectlAvailable() {
    try {
      var process = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  Result kubectl(String... args) throws IOException, InterruptedException {
    var command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "--request-timeout=30s"));
    command.addAll(List.of(args));
    var process = new ProcessBuilder(command).start();
    var out = process.getInputStream().readAllBytes();
    var err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void applyGetDescribeExplainAndDeleteWorkAsOnACluster() throws Exception {
    var applied = kubectl("apply", "-f", "../manifests/samples/tiny-pretrain.yaml");
    assertThat(applied.code()).as(applied.err()).isZero();
    assertThat(applied.out()).contains("mm1training.mm1.dev/tiny-pretrain created");
    var again = kubectl("apply", "-f", "../manifests/samples/tiny-pretrain.yaml");
    assertThat(again.out()).contains("mm1training.mm1.dev/tiny-pretrain unchanged");

    var training = client.resources(MM1Training.class).inNamespace("default").withName("tiny-pretrain").get();
    training.setStatus(new MM1TrainingStatus());
    training.getStatus().phase = TrainingPhase.Running;
    training.getStatus().step = 120L;
    training.getStatus().loss = 3.25;
    training.getStatus().restarts = 1;
    client.resource(training).updateStatus();

    var get = kubectl("get", "mm1t");
    assertThat(get.out().lines().findFirst().orElseThrow()).contains("NAME", "PHASE", "STEP", "LOSS", "CHECKPOINT", "RESTARTS", "AGE");
    assertThat(get.out()).containsPattern("tiny-pretrain\\s+Running\\s+120\\s+3.25\\s+1\\s+");

    var describe = kubectl("describe", "mm1t", "tiny-pretrain");
    assertThat(describe.code()).as(describe.err()).isZero();
    assertThat(describe.out()).contains("Name:", "tiny-pretrain", "Phase:", "Running");

    var explain = kubectl("explain", "mm1t.spec.resources.nodes");
    assertThat(explain.code()).as(explain.err()).isZero();
    assertThat(explain.out()).contains("nodes", "integer");

    var deleted = kubectl("delete", "mm1t", "tiny-pretrain");
    assertThat(deleted.out()).contains("mm1training.mm1.dev \"tiny-pretrain\" deleted");
    assertThat(kubectl("get", "mm1t").err()).contains("No resources found in default namespace.");
  }

  @Test
  void aBadSpecIsRefusedNamingTheField() throws Exception {
    var zeroNodes = kubectl("apply", "-f", "../manifests/samples/invalid/zero-nodes.yaml");
    assertThat(zeroNodes.code()).isNotZero();
    assertThat(zeroNodes.err()).contains("The MM1Training \"invalid-zero-nodes\" is invalid: spec.resources.nodes: Invalid value: 0");
    var misspelled = kubectl("apply", "-f", "../manifests/samples/invalid/misspelled-field.yaml");
    assertThat(misspelled.code()).isNotZero();
    assertThat(misspelled.err()).contains("unknown field \"spec.resources.gpuPerNode\"");
    var celRule = kubectl("apply", "-f", "../manifests/samples/invalid/toleration-operator.yaml");
    assertThat(celRule.code()).isNotZero();
    assertThat(celRule.err()).contains("spec.resources.tolerations: Invalid value", "a toleration's operator is Exists or Equal");
    assertThat(kubectl("get", "mm1t", "-o", "name").out()).isEmpty();
  }

  @Test
  void getWatchPrintsEveryChangeAsARow() throws Exception {
    kubectl("apply", "-f", "../manifests/samples/tiny-pretrain.yaml");
    var out = dir.resolve("watch.out");
    var watch = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "get", "mm1t", "-w")
        .redirectOutput(out.toFile()).redirectError(dir.resolve("watch.err").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(out).contains("tiny-pretrain"));
      var training = client.resources(MM1Training.class).inNamespace("default").withName("tiny-pretrain").get();
      training.setStatus(new MM1TrainingStatus());
      training.getStatus().phase = TrainingPhase.Succeeded;
      training.getStatus().step = 300L;
      client.resource(training).updateStatus();
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(out).contains("Succeeded"));
      assertThat(Files.readString(out)).containsPattern("tiny-pretrain\\s+Succeeded\\s+300");
      assertThat(Files.readString(out).lines().filter(l -> l.startsWith("NAME")).count()).isEqualTo(1);
    } finally {
      watch.destroy();
      watch.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
