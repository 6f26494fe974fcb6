package dev.mm1.local;

import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.local.apiserver.LocalApiServer;
import dev.mm1.local.node.NodeAgent;
import dev.mm1.local.node.NodeConfig;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole platform on one machine, in the order it starts: the local Kubernetes API server (with
 * the CRDs and what it stored last time), the kubeconfig, the node agent, the shapes-world data
 * volume, the control plane on its embedded PostgreSQL (with the tokens the operator and pods
 * report with), and the operator. {@link #close()} stops it in the order that loses nothing: the
 * operator, then the node (pods get SIGTERM and report), then the control plane, then the API server
 * (which saves its objects).
 */
public final class LocalPlatform implements AutoCloseable {
  /** The claim the samples mount their data from, at /data. */
  public static final String DATA_CLAIM = "shapes-data";
  /** The node path standing for the local data directory. */
  static final String DATA_PATH = "/data";
  public static final String NAMESPACE = "default";

  /**
   * How to run it.
   *
   * @param repo the repository (its ./mm1 runs in the pods; manifests/samples)
   * @param home the local home (~/.mm1)
   * @param data the local data directory (the pods' /data)
   * @param uiPort the control plane's port
   * @param apiPort the API server's port
   * @param databasePort the embedded PostgreSQL's port
   * @param nodeCpus CPUs the node offers to pods
   * @param nodeMemoryBytes memory the node offers to pods
   */
  public record Options(Path repo, LocalHome home, Path data, int uiPort, int apiPort, int databasePort, int nodeCpus, long nodeMemoryBytes) {}

  private final Options options;
  private final Consumer<String> notice;
  private FileChannel lockChannel;
  private FileLock lock;
  private LocalApiServer api;
  private KubernetesClient client;
  private NodeAgent node;
  private Supervised controlPlane;
  private Supervised operator;

  private LocalPlatform(Options options, Consumer<String> notice) {
    this.options = options;
    this.notice = notice;
  }

  /** Starts everything; on failure whatever started is stopped again. */
  public static LocalPlatform start(Options options, Consumer<String> notice) throws Exception {
    var platform = new LocalPlatform(options, notice);
    try {
      platform.startAll();
      return platform;
    } catch (Exception e) {
      platform.close();
      throw e;
    }
  }

  private void startAll() throws Exception {
    var home = options.home();
    Files.createDirectories(home.dir());
    lockChannel = FileChannel.open(home.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    lock = lockChannel.tryLock();
    if (lock == null) {
      throw new IllegalStateException("another ./mm1 up is running with " + home.dir() + "; stop it first (or use --home DIR)");
    }
    ControlPlaneProcess.ensurePackaged(options.repo(), notice);
    for (var port : List.of(options.apiPort(), options.uiPort(), options.databasePort())) {
      requireFree(port);
    }

    api = LocalApiServer.start(new InetSocketAddress("127.0.0.1", options.apiPort()), home.apiState(), crds());
    home.writeKubeconfig(api.url().toString());
    client = api.client();

    var nodeConfig = new NodeConfig("mm1-local", home.nodeRoot(), Map.of(DATA_PATH, options.data()), home.pods(),
        options.repo().resolve("mm1"), Path.of(System.getProperty("java.home")), options.nodeCpus(), options.nodeMemoryBytes(),
        home.nodeState());
    node = new NodeAgent(client, nodeConfig, List.of(
        new String[] {MM1Training.GROUP + "/" + MM1Training.VERSION, "MM1Training"},
        new String[] {MM1Training.GROUP + "/" + MM1Training.VERSION, "MM1Eval"}));
    api.podLogs(node.logs());
    node.start();
    dataVolume();

    var adminToken = home.adminTokenValue();
    controlPlane = ControlPlaneProcess.process(options.repo(), home, options.uiPort(), options.databasePort(), adminToken, notice);
    controlPlane.start();
    ControlPlaneProcess.awaitReady(uiUrl(), controlPlane, Duration.ofMinutes(3), home.logs().resolve("control-plane.log"));
    var tokens = ControlPlaneProcess.tokens(uiUrl(), adminToken, home.tokens());
    client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
        .withNewMetadata().withName("mm1-control-plane-token").withNamespace(NAMESPACE).endMetadata()
        .addToStringData("token", tokens.pods())
        .addToData("token", java.util.Base64.getEncoder().encodeToString(tokens.pods().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .build()).createOr(existing -> existing.update());

    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command = new ArrayList<String>(List.of(java));
    command.addAll(Logs.JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), LocalOperator.class.getName()));
    operator = new Supervised("operator", command,
        Map.of("KUBECONFIG", home.kubeconfig().toString(),
            "MM1_OPERATOR_CONTROL_PLANE_URL", uiUrl().toString(),
            "MM1_OPERATOR_CONTROL_PLANE_TOKEN", tokens.operator()),
        home.logs().resolve("operator.log"), notice);
    operator.start();
  }

  /** The CRDs as generated from the api module (shipped in its jar). */
  static List<CustomResourceDefinition> crds() throws IOException {
    var crds = new ArrayList<CustomResourceDefinition>();
    for (var plural : List.of("mm1trainings", "mm1evals")) {
      try (InputStream in = LocalPlatform.class.getClassLoader().getResourceAsStream("META-INF/mm1/crds/" + plural + ".mm1.dev.yaml")) {
        if (in == null) {
          throw new IOException("the CRD " + plural + " is not on the class path (api jar missing or stale)");
        }
        crds.add(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in, CustomResourceDefinition.class));
      }
    }
    return crds;
  }

  /** The local data directory as a volume (node path /data) and the claim the samples mount, bound to it. */
  private void dataVolume() {
    var volume = new PersistentVolumeBuilder()
        .withNewMetadata().withName(DATA_CLAIM).addToLabels("app.kubernetes.io/managed-by", "mm1-up").endMetadata()
        .withNewSpec().withCapacity(Map.of("storage", new Quantity("10Gi"))).withAccessModes("ReadOnlyMany", "ReadWriteOnce")
        .withPersistentVolumeReclaimPolicy("Retain")
        .withNewHostPath().withPath(DATA_PATH).withType("DirectoryOrCreate").endHostPath()
        .withNewClaimRef().withNamespace(NAMESPACE).withName(DATA_CLAIM).endClaimRef()
        .endSpec().build();
    if (client.persistentVolumes().withName(DATA_CLAIM).get() == null) {
      client.persistentVolumes().resource(volume).create();
    }
    if (client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(DATA_CLAIM).get() == null) {
      client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(new PersistentVolumeClaimBuilder()
          .withNewMetadata().withName(DATA_CLAIM).withNamespace(NAMESPACE).addToLabels("app.kubernetes.io/managed-by", "mm1-up").endMetadata()
          .withNewSpec().withAccessModes("ReadOnlyMany").withVolumeName(DATA_CLAIM).withStorageClassName("")
          .withNewResources().addToRequests("storage", new Quantity("10Gi")).endResources().endSpec()
          .build()).create();
    }
  }

  private static void requireFree(int port) {
    try (var socket = new java.net.ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use (" + e.getMessage()
          + "); stop what uses it or choose another port (--port, --api-port, --db-port)");
    }
  }

  public URI apiUrl() {
    return api.url();
  }

  public URI uiUrl() {
    return URI.create("http://127.0.0.1:" + options.uiPort());
  }

  /** A client of the local API server, owned by the platform. */
  public KubernetesClient client() {
    return client;
  }

  public Options options() {
    return options;
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.stop(Duration.ofSeconds(20));
    }
    if (node != null) {
      node.shutdown(Duration.ofSeconds(30));
      node.close();
    }
    if (controlPlane != null) {
      controlPlane.stop(Duration.ofSeconds(30));
    }
    if (client != null) {
      client.close();
    }
    if (api != null) {
      api.close();
    }
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException ignored) {
      // the lock goes with the process anyway
    }
  }
}
