package dev.mm1.operator.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mm1.api.ChildNames;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.operator.Labels;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.ReconcileMetrics;
import dev.mm1.operator.simulation.ApiPath;
import dev.mm1.operator.simulation.SimulatedCluster;
import dev.mm1.operator.simulation.TestingControlPlane;
import dev.mm1.operator.training.CheckpointVolume;
import dev.mm1.operator.training.TrainingResources;
import dev.mm1.operator.validation.LenientSpecReading;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * {@code ./mm1 bench operator [--trainings N] [--rounds R] [--failures F]}, two measurements against
 * the simulated cluster (the Fabric8 mock API server):
 * <ol>
 *   <li><b>Throughput</b>: N MM1Trainings per round until every ConfigMap, Service and Job exists,
 *       the operator beside a bare Fabric8 client that creates the same CRs and children itself
 *       with as many threads as the operator reconciles on ({@link StandaloneOperator#THREADS}).
 *       The two alternate in R rounds (bare first in even rounds, the operator first in odd ones),
 *       each round in fresh namespaces; the ratio is of the medians, with each side's spread.
 *   <li><b>Failover</b>: the time from a worker's pod turning Failed (the kubelet's status write)
 *       to every pod of the next gang existing (the Job controller's creations), over F failures,
 *       with the control plane up and with it down. This runs the simulated Job controller,
 *       kubelet and garbage collector, so it includes the Job controller failing the Job, the
 *       foreground deletion of the broken gang and its pods going.
 * </ol>
 * The last line is one JSON object.
 */
public final class OperatorBenchmark {
  /** Label that puts a CR in the operator's hands; the bare client's CRs lack it. */
  static final String BENCH_LABEL = "bench.mm1.dev/side";
  static final double GOAL_RATIO = 1.5;
  static final double GOAL_FAILOVER_MEDIAN_MS = 1000;

  private OperatorBenchmark() {}

  /** Median, spread and tail of one series of measurements, in milliseconds. */
  record Series(List<Double> values) {
    double quantile(double q) {
      var sorted = values.stream().sorted().toList();
      // Nearest rank: the smallest value with at least q of the values at or below it.
      int rank = (int) Math.ceil(q * sorted.size());
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    double median() {
      var sorted = values.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
      return values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    double max() {
      return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** (max - min) / median: how far apart the rounds were. */
    double spread() {
      return (max() - min()) / median();
    }

    String json() {
      return String.format(Locale.ROOT, "{\"median\":%.1f,\"min\":%.1f,\"max\":%.1f,\"spread\":%.3f,\"values\":[%s]}",
          median(), min(), max(), spread(), values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).collect(Collectors.joining(",")));
    }
  }

  record Throughput(Series bare, Series operator, List<Double> ratios, long reconciles, double p50, double p99) {}

  public static void main(String[] args) throws Exception {
    int trainings = 200;
    int rounds = 4;
    int failures = 30;
    var usage = "usage: mm1 bench operator [--trainings N (per round, default 200)] [--rounds R (default 4)] [--failures F (per control-plane state, default 30)]";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--trainings" -> trainings = positive(args, ++i, "--trainings", usage);
        case "--rounds" -> rounds = positive(args, ++i, "--rounds", usage);
        case "--failures" -> failures = positive(args, ++i, "--failures", usage);
        case "-h", "--help" -> {
          System.out.println(usage);
          return;
        }
        default -> {
          System.err.println("unknown option " + args[i] + "; " + usage);
          System.exit(2);
        }
      }
    }
    // The mock server logs every request; that would be most of what is measured.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var handler : java.util.logging.Logger.getLogger("").getHandlers()) {
      handler.setLevel(java.util.logging.Level.WARNING);
    }

    var throughput = throughput(trainings, rounds);
    System.out.printf(Locale.ROOT, "throughput, %d trainings per round, %d rounds, %d threads on both sides:%n", trainings, rounds, StandaloneOperator.THREADS);
    System.out.printf(Locale.ROOT, "  bare client: median %.0f ms (min %.0f, max %.0f) until %d CRs + %d children exist%n",
        throughput.bare().median(), throughput.bare().min(), throughput.bare().max(), trainings, 3 * trainings);
    System.out.printf(Locale.ROOT, "  operator:    median %.0f ms (min %.0f, max %.0f); %d reconciles, p50 %.1f ms, p99 %.1f ms%n",
        throughput.operator().median(), throughput.operator().min(), throughput.operator().max(), throughput.reconciles(), throughput.p50(), throughput.p99());
    double ratio = throughput.operator().median() / throughput.bare().median();
    System.out.printf(Locale.ROOT, "  ratio of medians operator / bare: %.2f (per round %s; goal <= %.1f)%n", ratio,
        throughput.ratios().stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(" ")), GOAL_RATIO);

    var up = failover(failures, false);
    System.out.printf(Locale.ROOT, "failover, control plane up:   worker Failed -> next gang's pods exist: median %.0f ms, p95 %.0f ms, max %.0f ms over %d failures%n",
        up.median(), up.quantile(0.95), up.max(), failures);
    var down = failover(failures, true);
    System.out.printf(Locale.ROOT, "failover, control plane down: worker Failed -> next gang's pods exist: median %.0f ms, p95 %.0f ms, max %.0f ms over %d failures%n",
        down.median(), down.quantile(0.95), down.max(), failures);

    System.out.printf(Locale.ROOT,
        "{\"benchmark\":\"operator\",\"trainings\":%d,\"rounds\":%d,\"threads\":%d,\"bareClientMs\":%s,\"operatorMs\":%s,"
            + "\"ratio\":%.3f,\"goalRatio\":%.1f,\"reconciles\":%d,\"reconcileP50Ms\":%.2f,\"reconcileP99Ms\":%.2f,"
            + "\"failures\":%d,\"failoverUpMedianMs\":%.1f,\"failoverUpP95Ms\":%.1f,\"failoverDownMedianMs\":%.1f,\"failoverDownP95Ms\":%.1f,"
            + "\"goalFailoverMedianMs\":%.0f}%n",
        trainings, rounds, StandaloneOperator.THREADS, throughput.bare().json(), throughput.operator().json(), ratio, GOAL_RATIO,
        throughput.reconciles(), throughput.p50(), throughput.p99(), failures, up.median(), up.quantile(0.95), down.median(),
        down.quantile(0.95), GOAL_FAILOVER_MEDIAN_MS);
    // Informer and executor threads of the clients and the operator are not daemons.
    System.exit(0);
  }

  private static int positive(String[] args, int i, String option, String usage) {
    try {
      int value = Integer.parseInt(args[i]);
      if (value > 0) {
        return value;
      }
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      // reported below
    }
    System.err.println(option + " needs a positive integer; " + usage);
    System.exit(2);
    return 0;
  }

  /** The API server alone (no Job controller: neither side's Jobs get pods), the operator and the bare client taking turns. */
  static Throughput throughput(int trainings, int rounds) throws Exception {
    try (var cluster = SimulatedCluster.start(); var client = operatorClient(cluster)) {
      var sample = sample(client);
      var settings = OperatorSettings.defaults();
      var registry = new SimpleMeterRegistry();
      var operator = StandaloneOperator.start(client, settings, registry, Clock.systemUTC(), BENCH_LABEL + "=operator");
      ExecutorService pool = Executors.newFixedThreadPool(StandaloneOperator.THREADS);
      try {
        // Warm-up of both paths (class loading, connection pool), not measured.
        bare(client, pool, sample, "warmup-bare", 20, settings);
        operated(client, pool, sample, "warmup-operator", 20);
        registry.clear();
        var bare = new ArrayList<Double>();
        var operated = new ArrayList<Double>();
        var ratios = new ArrayList<Double>();
        for (int round = 0; round < rounds; round++) {
          double b;
          double o;
          if (round % 2 == 0) {
            b = bare(client, pool, sample, "bare-" + round, trainings, settings);
            o = operated(client, pool, sample, "operator-" + round, trainings);
          } else {
            o = operated(client, pool, sample, "operator-" + round, trainings);
            b = bare(client, pool, sample, "bare-" + round, trainings, settings);
          }
          bare.add(b);
          operated.add(o);
          ratios.add(o / b);
        }
        var snapshot = new ReconcileMetrics(registry).timer("MM1Training").takeSnapshot();
        double p50 = 0;
        double p99 = 0;
        for (var percentile : snapshot.percentileValues()) {
          if (percentile.percentile() == 0.5) {
            p50 = percentile.value(TimeUnit.MILLISECONDS);
          } else if (percentile.percentile() == 0.99) {
            p99 = percentile.value(TimeUnit.MILLISECONDS);
          }
        }
        return new Throughput(new Series(bare), new Series(operated), ratios, snapshot.count(), p50, p99);
      } finally {
        pool.shutdownNow();
        operator.stop();
      }
    }
  }

  /** The bare client: each CR and its ConfigMap, Service and Job, on {@code pool}; milliseconds until all exist. */
  static double bare(KubernetesClient client, ExecutorService pool, MM1Training sample, String namespace, int count, OperatorSettings settings)
      throws Exception {
    long start = System.nanoTime();
    var done = new ArrayList<Future<?>>();
    for (int i = 0; i < count; i++) {
      int n = i;
      done.add(pool.submit(() -> {
        var training = client.resource(copy(client, sample, namespace, "t" + n, "bare")).create();
        var checkpoints = CheckpointVolume.of(training);
        var config = TrainerConfig.render(training, checkpoints.directory(), null);
        client.resource(TrainingResources.configMap(training, config, TrainerConfig.acceptedSpec(training.getSpec()))).create();
        client.resource(TrainingResources.headlessService(training, settings.masterPort())).create();
        client.resource(TrainingResources.job(training, 1, training.getMetadata().getUid(), config.hash(), null, settings)).create();
      }));
    }
    for (var future : done) {
      future.get();
    }
    return (System.nanoTime() - start) / 1e6;
  }

  /** The operator: the CRs applied on {@code pool}, then (watching) until every child exists; milliseconds. */
  static double operated(KubernetesClient client, ExecutorService pool, MM1Training sample, String namespace, int count) throws Exception {
    var children = new CountDownLatch(3 * count);
    ResourceEventHandler<HasMetadata> counter = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata obj) {
        children.countDown();
      }

      @Override
      public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {}

      @Override
      public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {}
    };
    var selector = Labels.PARENT_KIND + "=MM1Training";
    @SuppressWarnings({"unchecked", "rawtypes"})
    var informers = List.of(
        client.batch().v1().jobs().inNamespace(namespace).withLabelSelector(selector).inform((ResourceEventHandler) counter),
        client.services().inNamespace(namespace).withLabelSelector(selector).inform((ResourceEventHandler) counter),
        client.configMaps().inNamespace(namespace).withLabelSelector(selector).inform((ResourceEventHandler) counter));
    try {
      long start = System.nanoTime();
      var applied = new ArrayList<Future<?>>();
      for (int i = 0; i < count; i++) {
        int n = i;
        applied.add(pool.submit(() -> client.resource(copy(client, sample, namespace, "t" + n, "operator")).create()));
      }
      for (var future : applied) {
        future.get();
      }
      if (!children.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(children.getCount() + " children still missing after 10 minutes");
      }
      return (System.nanoTime() - start) / 1e6;
    } finally {
      informers.forEach(informer -> informer.close());
    }
  }

  /**
   * One training of 2 workers on the simulated cluster, failed {@code failures} times one after the
   * other (worker 1 exits 1, a retryable code); each time, the milliseconds from its pod's Failed
   * status to the last pod of the next attempt created.
   */
  static Series failover(int failures, boolean controlPlaneDown) throws Exception {
    var namespace = "failover";
    var name = controlPlaneDown ? "offline" : "online";
    try (var controlPlane = new TestingControlPlane(); var cluster = SimulatedCluster.start().runControllers();
        var client = operatorClient(cluster)) {
      controlPlane.down(controlPlaneDown);
      cluster.client().secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("mm1-control-plane-token")
          .withNamespace(namespace).endMetadata().addToStringData("token", "worker-token").build()).create();
      var settings = OperatorSettings.defaults().withControlPlane(controlPlane.url(), TestingControlPlane.TOKEN);
      int nodes = 2;
      // When each Job's pods were created (the API server's view: the Job controller's POSTs).
      Map<String, List<Instant>> created = new ConcurrentHashMap<>();
      Map<String, CountDownLatch> gangs = new ConcurrentHashMap<>();
      cluster.apiServer().observe(request -> {
        if (!request.method().equals("POST") || ApiPath.parse(request.path()).filter(p -> p.resource().equals("pods")).isEmpty()) {
          return;
        }
        var labels = Serialization.unmarshal(request.bodyText(), Pod.class).getMetadata().getLabels();
        var job = labels == null ? null : labels.get("batch.kubernetes.io/job-name");
        if (job != null) {
          created.computeIfAbsent(job, j -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(Instant.now());
          gangs.computeIfAbsent(job, j -> new CountDownLatch(nodes)).countDown();
        }
      });
      var failedAt = new AtomicReference<Instant>();
      cluster.onPodEnded(ended -> {
        if (ended.exitCode() == 1) {
          failedAt.compareAndSet(null, ended.at());
        }
      });
      var operator = StandaloneOperator.start(client, settings, new SimpleMeterRegistry());
      try {
        var training = copy(client, sample(client), namespace, name, "operator");
        training.getSpec().failurePolicy.maxRestarts = failures + 1;
        client.resource(training).create();
        var latencies = new ArrayList<Double>();
        for (int attempt = 1; attempt <= failures + 1; attempt++) {
          var job = ChildNames.job(name, attempt);
          if (!gangs.computeIfAbsent(job, j -> new CountDownLatch(nodes)).await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the pods of " + job + " were not all created within 2 minutes");
          }
          if (attempt > 1) {
            var last = created.get(job).stream().max(Instant::compareTo).orElseThrow();
            latencies.add(Duration.between(failedAt.getAndSet(null), last).toNanos() / 1e6);
          }
          if (attempt == failures + 1) {
            break;
          }
          awaitRunning(cluster.client(), namespace, job, nodes);
          cluster.exit(job, 1, 1);
        }
        return new Series(latencies);
      } finally {
        operator.stop();
      }
    }
  }

  /** Until every worker of {@code job} is ready (the Job controller's count). */
  private static void awaitRunning(KubernetesClient client, String namespace, String job, int nodes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      var current = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
      if (current != null && current.getStatus() != null && current.getStatus().getReady() != null && current.getStatus().getReady() >= nodes) {
        return;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("the workers of " + job + " were not ready within 2 minutes");
  }

  /** The operator's client of {@code cluster}: Fabric8's User-Agent and lenient reading of malformed CRs. */
  private static KubernetesClient operatorClient(SimulatedCluster cluster) {
    var mapper = JsonMapper.builder().build();
    LenientSpecReading.install(mapper);
    return cluster.newClient(null, b -> b.withKubernetesSerialization(new KubernetesSerialization(mapper, true)));
  }

  private static MM1Training copy(KubernetesClient client, MM1Training sample, String namespace, String name, String side) {
    var training = client.getKubernetesSerialization().clone(sample);
    training.getMetadata().setName(name);
    training.getMetadata().setNamespace(namespace);
    training.getMetadata().setLabels(Map.of(BENCH_LABEL, side));
    return training;
  }

  private static MM1Training sample(KubernetesClient client) throws IOException {
    try (InputStream in = OperatorBenchmark.class.getResourceAsStream("/bench/tiny-pretrain.yaml")) {
      return client.getKubernetesSerialization().unmarshal(in, MM1Training.class);
    }
  }
}
