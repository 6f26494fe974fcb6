package dev.mm1.local;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mm1.operator.OperatorSettings;
import dev.mm1.operator.bench.StandaloneOperator;
import dev.mm1.operator.validation.LenientSpecReading;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The operator process of {@code ./mm1 up}: the operator module's reconcilers (the same code as the
 * operator Deployment of a cluster, on plain Java Operator SDK instead of its Quarkus application)
 * against the API server of the kubeconfig in {@code KUBECONFIG}. Configured by the environment:
 * {@code MM1_OPERATOR_CONTROL_PLANE_URL}, {@code MM1_OPERATOR_CONTROL_PLANE_TOKEN},
 * {@code MM1_OPERATOR_PROGRESS_INTERVAL} (seconds). It runs until SIGTERM.
 */
public final class LocalOperator {
  /** How often step, loss and checkpoint are read back from the control plane: often, one machine. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);

  private LocalOperator() {}

  public static void main(String[] args) throws InterruptedException {
    Logs.prepareJvm();
    var url = System.getenv("MM1_OPERATOR_CONTROL_PLANE_URL");
    var token = System.getenv("MM1_OPERATOR_CONTROL_PLANE_TOKEN");
    var interval = System.getenv("MM1_OPERATOR_PROGRESS_INTERVAL");
    var defaults = OperatorSettings.defaults();
    var settings = new OperatorSettings(defaults.trainerImage(), defaults.evaluatorImage(),
        url == null || url.isBlank() ? Optional.empty() : Optional.of(URI.create(url)), Optional.ofNullable(token),
        defaults.tokenSecretName(), defaults.tokenSecretKey(), defaults.masterPort(),
        interval == null ? PROGRESS_INTERVAL : Duration.ofSeconds(Long.parseLong(interval)));
    // As the operator's Quarkus application does: a malformed custom resource must not stop the informers.
    var mapper = JsonMapper.builder().build();
    LenientSpecReading.install(mapper);
    Config config = new ConfigBuilder(Config.autoConfigure(null)).withOnlyHttpWatches(true).build();
    var client = new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(new KubernetesSerialization(mapper, true)).build();
    var operator = StandaloneOperator.start(client, settings, new SimpleMeterRegistry());
    System.err.println("mm1 operator: reconciling MM1Training and MM1Eval at " + config.getMasterUrl()
        + settings.controlPlaneUrl().map(u -> ", control plane " + u).orElse(", no control plane"));
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.stop();
      client.close();
      stopped.countDown();
    }, "operator-stop"));
    stopped.await();
  }
}
