package dev.mm1.operator.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.operator.Labels;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.ReconcileMetrics;
import dev.mm1.operator.training.CheckpointVolume;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.operator.training.TrainingResources;
import dev.mm1.operator.validation.LenientSpecReading;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./mm1 bench operator [--trainings N]}: N MM1Trainings (default 500) against the Fabric8
 * mock API server; the time until every ConfigMap, Service and Job exists and the reconcile latency
 * p50/p99, beside the bare Fabric8 client creating the same CRs and children itself, in the same
 * run and against the same server. The last line is one JSON object.
 */
public final class OperatorBenchmark {
  private OperatorBenchmark() {}

  public static void main(String[] args) throws Exception {
    int trainings = 500;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--trainings" -> trainings = Integer.parseInt(args[++i]);
        case "-h", "--help" -> {
          System.out.println("usage: mm1 bench operator [--trainings N]   (default 500)");
          return;
        }
        default -> {
          System.err.println("unknown option " + args[i] + "; usage: mm1 bench operator [--trainings N]");
          System.exit(2);
        }
      }
    }
    // The mock server logs every request; that would be most of what is measured.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("").getHandlers()[0].setLevel(java.util.logging.Level.WARNING);
    var server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    var mapper = JsonMapper.builder().build();
    LenientSpecReading.install(mapper);
    try (KubernetesClient client = server.createClient(b -> b.withKubernetesSerialization(new KubernetesSerialization(mapper, true)))) {
      installCrds(client);
      var sample = sample(client);
      var settings = OperatorSettings.defaults();

      // Warm-up of both paths (class loading, connection pool), not measured.
      bare(client, sample, "warmup-bare", 20, settings);

      long bareNanos = bare(client, sample, "bare", trainings, settings);

      var registry = new SimpleMeterRegistry();
      var operator = StandaloneOperator.start(client, settings, registry);
      try {
        operated(client, sample, "warmup-operator", 20);
        registry.clear();
        long operatorNanos = operated(client, sample, "operator", trainings);
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
        double bareMs = bareNanos / 1e6;
        double operatorMs = operatorNanos / 1e6;
        System.out.printf(Locale.ROOT, "bare client: %d CRs + %d children created in %.0f ms%n", trainings, 3 * trainings, bareMs);
        System.out.printf(Locale.ROOT, "operator:    %d CRs applied, all %d children exist after %.0f ms (%d reconciles, p50 %.1f ms, p99 %.1f ms)%n",
            trainings, 3 * trainings, operatorMs, snapshot.count(), p50, p99);
        System.out.printf(Locale.ROOT, "ratio operator / bare: %.2f (goal <= 1.5)%n", operatorMs / bareMs);
        System.out.printf(Locale.ROOT,
            "{\"benchmark\":\"operator\",\"trainings\":%d,\"bareClientMs\":%.1f,\"operatorMs\":%.1f,\"ratio\":%.3f,"
                + "\"reconciles\":%d,\"reconcileP50Ms\":%.2f,\"reconcileP99Ms\":%.2f,\"goalRatio\":1.5}%n",
            trainings, bareMs, operatorMs, operatorMs / bareMs, snapshot.count(), p50, p99);
      } finally {
        operator.stop();
      }
    } finally {
      server.destroy();
    }
    // Informer and executor threads of the client and the operator are not daemons.
    System.exit(0);
  }

  /** The bare client: each CR and its ConfigMap, Service and Job, created one after the other. */
  static long bare(KubernetesClient client, MM1Training sample, String namespace, int count, OperatorSettings settings) {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      var training = client.resource(copy(client, sample, namespace, "t" + i)).create();
      var checkpoints = CheckpointVolume.of(training);
      var config = TrainerConfig.render(training, checkpoints.directory(), null);
      client.resource(TrainingResources.configMap(training, config, TrainerConfig.acceptedSpec(training.getSpec()))).create();
      client.resource(TrainingResources.headlessService(training, settings.masterPort())).create();
      client.resource(TrainingResources.job(training, 1, training.getMetadata().getUid(), config.hash(), null, settings)).create();
    }
    return System.nanoTime() - start;
  }

  /** The operator: apply the CRs, then wait (watching) until every child exists. */
  static long operated(KubernetesClient client, MM1Training sample, String namespace, int count) throws InterruptedException {
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
    var informers = java.util.List.of(
        client.batch().v1().jobs().inNamespace(namespace).withLabelSelector(selector).inform((ResourceEventHandler) counter),
        client.services().inNamespace(namespace).withLabelSelector(selector).inform((ResourceEventHandler) counter),
        client.configMaps().inNamespace(namespace).withLabelSelector(selector).inform((ResourceEventHandler) counter));
    try {
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        client.resource(copy(client, sample, namespace, "t" + i)).create();
      }
      if (!children.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(children.getCount() + " children still missing after 10 minutes");
      }
      return System.nanoTime() - start;
    } finally {
      informers.forEach(informer -> informer.close());
    }
  }

  private static MM1Training copy(KubernetesClient client, MM1Training sample, String namespace, String name) {
    var training = client.getKubernetesSerialization().clone(sample);
    training.getMetadata().setName(name);
    training.getMetadata().setNamespace(namespace);
    // The bare client has no API server assigning UIDs before it builds the children.
    training.getMetadata().setUid(UUID.randomUUID().toString());
    return training;
  }

  private static MM1Training sample(KubernetesClient client) throws IOException {
    try (InputStream in = OperatorBenchmark.class.getResourceAsStream("/bench/tiny-pretrain.yaml")) {
      return client.getKubernetesSerialization().unmarshal(in, MM1Training.class);
    }
  }

  private static void installCrds(KubernetesClient client) throws IOException {
    for (var plural : new String[] {"mm1trainings", "mm1evals"}) {
      try (InputStream in = OperatorBenchmark.class.getClassLoader().getResourceAsStream("META-INF/mm1/crds/" + plural + ".mm1.dev.yaml")) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
  }
}
