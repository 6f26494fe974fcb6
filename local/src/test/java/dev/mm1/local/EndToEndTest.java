package dev.mm1.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.v1alpha1.EvalPhase;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.TrainingPhase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole loop on one machine, through {@code ./mm1 up}: real trainer processes started by the
 * node agent from the operator's Jobs, the control plane recording them. A worker killed with
 * SIGKILL is restarted by the operator as a gang and resumes exactly; the operator killed mid-run
 * comes back and makes no duplicates; a bad spec is refused by the API server; the SFT follows the
 * pre-training; Ctrl-C stops everything and a restart finds it all again.
 *
 * <p>The pre-training runs on 2 nodes (one data-parallel worker per pod). Exactness is checked on
 * the steps that ran twice (between the last checkpoint and the kill), which the uninterrupted
 * attempt computed before the kill: no second, uninterrupted training is started, which would
 * double the test's time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Duration LONG = Duration.ofMinutes(25);
  // The sample's own length: the eval must show that the model learned to see, and on this budget
  // it does; a checkpoint every 16 steps leaves a mid-run to kill well before the end.
  static final int STEPS = 300;
  static final int EVERY = 16;
  // Measured on the default chain: captions 0-shot CIDEr-D 127.9 against 44.5 image-blind, VQA 0-shot
  // accuracy 46.7 against 33.0. The asserted margins leave room for another CPU's rounding.
  static final double CAPTION_MARGIN = 20;
  static final double VQA_MARGIN = 4;

  Path dir;
  Mm1Up up;
  int workers;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("mm1-e2e");
    workers = dataParallel() ? 2 : 1;
    Mm1Up.synthesize(dir.resolve("data"));
    up = new Mm1Up(dir.resolve("home"), dir.resolve("data")).start("--no-samples").awaitReady(Duration.ofMinutes(5));
  }

  @AfterAll
  void stop() throws Exception {
    if (up != null) {
      up.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        for (var path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** Whether ./mm1 train can run data-parallel workers (issue #13), so a 2-node gang trains one model. */
  static boolean dataParallel() throws IOException, InterruptedException {
    var process = new ProcessBuilder(Mm1Up.REPO.resolve("mm1").toString(), "train", "--help").redirectErrorStream(true);
    process.environment().put("MM1_NO_BUILD", "1");
    var started = process.start();
    var help = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    started.waitFor(2, TimeUnit.MINUTES);
    return help.contains("--nproc-per-node");
  }

  GenericKubernetesResource apply(String sample, String name, Consumer<ObjectNode> edit) throws Exception {
    var resource = (ObjectNode) YAML.readTree(Mm1Up.REPO.resolve("manifests/samples/" + sample + ".yaml").toFile());
    resource.with("metadata").put("name", name).put("namespace", "default");
    edit.accept(resource);
    var generic = up.client().getKubernetesSerialization().convertValue(resource, GenericKubernetesResource.class);
    return up.client().genericKubernetesResources(generic.getApiVersion(), generic.getKind()).inNamespace("default").resource(generic).create();
  }

  MM1Training training(String name) throws IOException {
    return up.client().resources(MM1Training.class).inNamespace("default").withName(name).get();
  }

  void shorten(ObjectNode resource, int steps, int every) {
    var spec = resource.with("spec");
    spec.with("optimization").put("steps", steps).put("warmupSteps", 2);
    spec.with("checkpoints").put("everySteps", every);
  }

  @Test
  @Order(1)
  void aBadSpecAppliedWithKubectlIsRefusedNamingTheField() throws Exception {
    var sample = Mm1Up.REPO.resolve("manifests/samples/invalid/zero-nodes.yaml");
    String refusal;
    if (dev.mm1.local.apiserver.KubectlTest.kubectlAvailable()) {
      var process = new ProcessBuilder("kubectl", "--kubeconfig", up.home.resolve("kubeconfig").toString(), "apply", "-f", sample.toString()).start();
      refusal = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor()).isNotZero();
    } else {
      // What kubectl sends: the object as written, fieldValidation=Strict.
      var generic = up.client().getKubernetesSerialization().unmarshal(Files.readString(sample), GenericKubernetesResource.class);
      try {
        up.client().genericKubernetesResources(generic.getApiVersion(), generic.getKind()).inNamespace("default").resource(generic).create();
        refusal = "";
      } catch (KubernetesClientException e) {
        refusal = e.getStatus().getMessage();
      }
    }
    assertThat(refusal).contains("spec.resources.nodes: Invalid value: 0");
    assertThat(up.client().resources(MM1Training.class).inNamespace("default").list().getItems()).isEmpty();
  }

  @Test
  @Order(2)
  void aKilledWorkerRestartsTheGangWhichResumesExactlyWhereTheUninterruptedRunWas() throws Exception {
    apply("tiny-pretrain", "e2e-pretrain", r -> {
      shorten(r, STEPS, EVERY);
      r.with("spec").with("resources").put("nodes", workers);
    });
    // A step after a checkpoint, so that the restart loses steps and must compute them again.
    // Watched on the trainers' own files, not the resource's status, which the operator refreshes
    // less often than a short run takes.
    var uid = training("e2e-pretrain").getMetadata().getUid();
    await().atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() -> finished(training("e2e-pretrain")) || pastACheckpoint(uid));
    assertThat(finished(training("e2e-pretrain"))).as("the training ended before a worker could be killed mid-run").isFalse();
    int victim = workers - 1;
    var worker = Mm1Up.processes(line -> line.contains("dev.mm1.trainer"),
            environ -> environ.contains("/" + uid + "\0") && environ.contains("\0NODE_RANK=" + victim + "\0"))
        .stream().filter(p -> p.children().findAny().isEmpty()).findFirst().orElseThrow();
    assertThat(worker.destroyForcibly()).isTrue(); // SIGKILL

    await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(() -> finished(training("e2e-pretrain")));
    var killed = training("e2e-pretrain");
    assertThat(killed.getStatus().phase).isEqualTo(TrainingPhase.Succeeded);
    assertThat(killed.getStatus().restarts).isEqualTo(1);
    assertThat(killed.getStatus().attempt).isEqualTo(2);

    // The steps between the checkpoint and the kill ran twice: uninterrupted in attempt 1, resumed
    // in attempt 2. The resumed gang computes exactly what the uninterrupted one did.
    var attempts = lossesByAttempt(killed);
    var uninterrupted = attempts.get(1);
    var resumed = attempts.get(2);
    var resumedFrom = resumed.firstKey() - 1;
    assertThat(resumedFrom).isEqualTo(resumedFrom / EVERY * EVERY).isPositive();
    var overlap = new java.util.TreeMap<>(uninterrupted.tailMap(resumedFrom + 1));
    assertThat(overlap).as("steps lost to the kill").isNotEmpty();
    // First the forward pass of the first resumed step (weights and data position restored), then every update after it.
    assertThat(resumed.get(resumedFrom + 1)).as("loss of the first resumed step").isEqualTo(overlap.get(resumedFrom + 1));
    assertThat(resumed.headMap(overlap.lastKey() + 1)).as("losses after the resume").isEqualTo(overlap);

    // The control plane: every step once, the values the trainers computed last, the restart and the steps it cost.
    var recorded = up.series(killed.getStatus().runId, "loss");
    assertThat(recorded.keySet()).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, STEPS).boxed().toList());
    var final_ = new java.util.TreeMap<>(uninterrupted);
    final_.putAll(resumed);
    assertThat(recorded).isEqualTo(final_);
    var transitions = up.get("/api/v1/runs/" + killed.getStatus().runId + "/transitions");
    assertThat(transitions.findValuesAsText("reason")).contains("GangRestarted");
    assertThat(transitions.findValuesAsText("to")).containsSubsequence("Running", "Restarting", "Running", "Succeeded");
    var recomputed = up.series(killed.getStatus().runId, "goodput/recomputed_steps");
    assertThat(recomputed).containsExactly(java.util.Map.entry(resumedFrom + 1, (double) overlap.size()));
  }

  /** Whether training {@code uid} has committed a checkpoint at step EVERY or later and logged a step at least two past it. */
  boolean pastACheckpoint(String uid) throws IOException {
    var progress = progress(uid);
    return progress[0] >= EVERY && progress[1] > progress[0] + 1;
  }

  /**
   * {newest committed checkpoint step, newest logged step} of training {@code uid}, from its
   * trainers' files (0 while there are none).
   */
  long[] progress(String uid) throws IOException {
    Path run;
    try (var files = Files.walk(up.home.resolve("node/checkpoints"))) {
      run = files.filter(p -> p.getFileName().toString().equals(uid)).findFirst().orElse(null);
    } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
      return new long[2]; // a directory appeared or went while walking
    }
    if (run == null || !Files.exists(run.resolve("metrics.jsonl"))) {
      return new long[2];
    }
    long committed;
    try (var steps = Files.list(run)) {
      committed = steps.filter(p -> p.getFileName().toString().matches("step-\\d+") && Files.exists(p.resolve("MANIFEST.json")))
          .mapToLong(p -> Long.parseLong(p.getFileName().toString().substring(5))).max().orElse(0);
    }
    long logged = 0;
    for (var line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      try {
        logged = Math.max(logged, Mm1Up.JSON.readTree(line).path("step").asLong());
      } catch (com.fasterxml.jackson.core.JsonProcessingException partial) {
        // the line being written
      }
    }
    return new long[] {committed, logged};
  }

  /** The losses metrics.jsonl holds, per attempt and step (each attempt's trainers write their own lines). */
  java.util.Map<Integer, java.util.TreeMap<Long, Double>> lossesByAttempt(MM1Training training) throws IOException {
    Path metrics;
    try (var files = Files.walk(up.home.resolve("node/checkpoints"))) {
      metrics = files.filter(p -> p.endsWith(training.getMetadata().getUid() + "/metrics.jsonl")).findFirst()
          .orElseThrow(() -> new AssertionError("no metrics.jsonl of training " + training.getMetadata().getUid()));
    }
    var byAttempt = new java.util.TreeMap<Integer, java.util.TreeMap<Long, Double>>();
    for (var line : Files.readAllLines(metrics)) {
      var json = Mm1Up.JSON.readTree(line);
      var previous = byAttempt.computeIfAbsent(json.path("attempt").asInt(), a -> new java.util.TreeMap<>())
          .put(json.path("step").asLong(), json.path("loss").asDouble());
      assertThat(previous).as("attempt %s logged step %s once", json.path("attempt"), json.path("step")).isNull();
    }
    return byAttempt;
  }

  static boolean finished(MM1Training training) {
    return training != null && training.getStatus() != null
        && (training.getStatus().phase == TrainingPhase.Succeeded || training.getStatus().phase == TrainingPhase.Failed);
  }

  @Test
  @Order(3)
  void theSftFollowsThePretrainingAndSurvivesAnOperatorKilledMidRunWithoutDuplicates() throws Exception {
    Assumptions.assumeTrue(finished(training("e2e-pretrain")), "needs the pre-training of the previous test");
    // The operator mirrors the trainer's last report (final step and checkpoint) shortly after the Job ended.
    await().atMost(Duration.ofMinutes(2)).until(() -> training("e2e-pretrain").getStatus().latestCheckpoint.step == STEPS);
    var pretrain = training("e2e-pretrain");
    apply("tiny-sft", "e2e-sft", r -> r.with("spec").with("init").put("fromTraining", "e2e-pretrain"));
    var sftUid = training("e2e-sft").getMetadata().getUid();
    await().atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() -> finished(training("e2e-sft")) || progress(sftUid)[1] >= 2);
    assertThat(finished(training("e2e-sft"))).as("the SFT ended before the operator could be killed mid-run").isFalse();
    var first = up.operator().orElseThrow();
    assertThat(first.destroyForcibly()).isTrue();
    await().atMost(Duration.ofMinutes(2)).until(() -> up.operator().filter(p -> p.pid() != first.pid()).isPresent());

    await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(() -> finished(training("e2e-sft")));
    var sft = training("e2e-sft");
    assertThat(sft.getStatus().phase).isEqualTo(TrainingPhase.Succeeded);
    assertThat(sft.getStatus().restarts).isZero();
    var client = up.client();
    assertThat(client.configMaps().inNamespace("default").withLabel("mm1.dev/parent-name", "e2e-sft").list().getItems()).hasSize(1);
    assertThat(client.services().inNamespace("default").withLabel("mm1.dev/parent-name", "e2e-sft").list().getItems()).hasSize(1);
    assertThat(client.batch().v1().jobs().inNamespace("default").withLabel("mm1.dev/parent-name", "e2e-sft").list().getItems())
        .extracting(j -> j.getMetadata().getName()).containsExactly("e2e-sft-a1");
    assertThat(client.pods().inNamespace("default").withLabel("mm1.dev/parent-name", "e2e-sft").list().getItems()).hasSize(1);

    // It started from the pre-training's last checkpoint, and the control plane keeps the lineage.
    var config = client.configMaps().inNamespace("default").withName("e2e-sft-config").get();
    assertThat(config.getData().get("init-checkpoint.json")).contains(pretrain.getStatus().latestCheckpoint.sha256);
    assertThat(pretrain.getStatus().latestCheckpoint.step).isEqualTo((long) STEPS);
    var lineage = up.get("/api/v1/runs/" + sft.getStatus().runId + "/lineage");
    assertThat(lineage.path("ancestors").findValuesAsText("id")).contains(pretrain.getStatus().runId);
  }

  /**
   * The eval of the SFT and its image-blind control (tiny-eval-baseline: each query shown another
   * image) run as evaluator pods through the operator; the results reach the resource's status and
   * the control plane, and the gate passes. The model learned to see: at 0 shots its captioning
   * CIDEr-D and VQA accuracy are far above the same checkpoint's with every image swapped for
   * another test image (margins printed, and asserted at 0 shots).
   */
  @Test
  @Order(4)
  void theEvalOfTheSftAndItsImageBlindControlRunAndTheGateJudgesThem() throws Exception {
    Assumptions.assumeTrue(finished(training("e2e-sft")), "needs the SFT of the previous test");
    apply("tiny-eval-baseline", "tiny-eval-baseline", r -> r.with("spec").with("checkpoint").put("fromTraining", "e2e-sft"));
    apply("tiny-eval", "e2e-eval", r -> r.with("spec").with("checkpoint").put("fromTraining", "e2e-sft"));
    await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(() -> {
      var eval = up.client().resources(MM1Eval.class).inNamespace("default").withName("e2e-eval").get();
      return eval.getStatus() != null && List.of(EvalPhase.Succeeded, EvalPhase.GateFailed, EvalPhase.Failed).contains(eval.getStatus().phase);
    });
    var eval = up.client().resources(MM1Eval.class).inNamespace("default").withName("e2e-eval").get();
    var blind = up.client().resources(MM1Eval.class).inNamespace("default").withName("tiny-eval-baseline").get();
    assertThat(blind.getStatus().phase).as("an eval without a gate").isEqualTo(EvalPhase.Succeeded);
    assertThat(eval.getStatus().phase).as(String.valueOf(eval.getStatus().conditions)).isEqualTo(EvalPhase.Succeeded);
    assertThat(eval.getStatus().gate.passed).isTrue();
    // Every benchmark at every shot count, in the status and in the control plane.
    assertThat(eval.getStatus().results).extracting(r -> r.benchmark + "@" + r.shots)
        .containsExactlyInAnyOrder("shapes-captions@0", "shapes-captions@4", "shapes-vqa@0", "shapes-vqa@4");
    var stored = up.get("/api/v1/runs/" + eval.getStatus().runId + "/results");
    assertThat(stored.findValuesAsText("benchmark")).hasSize(4);
    for (var result : eval.getStatus().results) {
      var without = blind.getStatus().results.stream()
          .filter(b -> b.benchmark.equals(result.benchmark) && b.shots.equals(result.shots) && b.metric.equals(result.metric)).findFirst().orElseThrow();
      System.out.printf("%s %d-shot %s: %.2f with the images, %.2f image-blind (margin %+.2f)%n", result.benchmark, result.shots,
          result.metric, result.value, without.value, result.value - without.value);
      if (result.shots == 0) {
        assertThat(result.value - without.value).as("%s 0-shot: %.2f with the images against %.2f image-blind", result.benchmark,
            result.value, without.value).isGreaterThan(result.benchmark.equals("shapes-captions") ? CAPTION_MARGIN : VQA_MARGIN);
      }
    }
  }

  @Test
  @Order(5)
  void ctrlCStopsEverythingAndARestartFindsItAllAgain() throws Exception {
    var uids = new ArrayList<String>();
    up.client().resources(MM1Training.class).inNamespace("default").list().getItems().forEach(t -> uids.add(t.getMetadata().getUid()));
    int code = up.interrupt(Duration.ofMinutes(3));
    assertThat(code).isIn(0, 130, 143);
    assertThat(up.podProcesses()).isEmpty();
    assertThat(up.operator()).isEmpty();
    assertThat(portOpen(up.databasePort)).as("PostgreSQL stopped").isFalse();
    assertThat(portOpen(up.uiPort)).as("control plane stopped").isFalse();
    assertThat(Files.readString(up.stderr)).contains("mm1 up: stopped; state kept in");

    up.start("--no-samples").awaitReady(Duration.ofMinutes(5));
    var after = new ArrayList<String>();
    up.client().resources(MM1Training.class).inNamespace("default").list().getItems().forEach(t -> after.add(t.getMetadata().getUid()));
    assertThat(after).containsExactlyInAnyOrderElementsOf(uids);
    var runs = up.get("/api/v1/runs?kind=Training");
    assertThat(runs.findValuesAsText("externalId")).containsAll(uids);
  }

  static boolean portOpen(int port) {
    try (var socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
