package dev.mm1.operator.simulation;

import dev.mm1.operator.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A Kubernetes cluster for the operator's tests and benchmark: the Fabric8 mock API server
 * ({@link SimulatedApiServer}) with our CRDs, and small stand-ins for the components that act on
 * what the operator creates, in the order the real ones act: the Job controller makes an Indexed
 * Job's pods, the scheduler binds them, the kubelet runs their containers (Pending → Running →
 * Succeeded/Failed with exit codes) and terminates deleted pods after SIGTERM, the Job controller
 * keeps the Job's status and conditions and kills the pods of a failed Job, and the garbage
 * collector deletes what lost its owner and finishes foreground deletions.
 *
 * <p>The components run in one background loop, woken by watch events and timers; each pass reads
 * the cluster and lets each component act once on each object. What the containers do is set per
 * worker (Job name and completion index): {@link #exit}, {@link #disrupt}, {@link #stopDelay}, ...
 * Never used by the operator itself.
 */
public final class SimulatedCluster implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SimulatedCluster.class);
  /** User-Agent of the cluster's own clients (its components and the tests' kubectl). */
  public static final String USER_AGENT = "mm1-simulated-cluster";

  /** A pod's container ended: which pod, of which Job, with what exit code, when. */
  public record PodEnded(String pod, String job, int exitCode, Instant at) {}

  private final KubernetesMockServer server;
  private final SimulatedApiServer api;
  private final KubernetesClient client;
  private final Clock clock = Clock.systemUTC();
  private final Workloads workloads = new Workloads();
  private final JobController jobController;
  private final Scheduler scheduler;
  private final Kubelet kubelet;
  private final GarbageCollector garbageCollector;
  private final List<String> gangOverlaps = new CopyOnWriteArrayList<>();
  private final List<Consumer<PodEnded>> podEndedListeners = new CopyOnWriteArrayList<>();
  private final List<Watch> watches = new ArrayList<>();
  private final Object signal = new Object();
  private boolean dirty;
  private volatile boolean closed;
  private Thread loop;

  private SimulatedCluster() {
    api = new SimulatedApiServer(USER_AGENT);
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
    server.init();
    client = newClient(USER_AGENT);
    jobController = new JobController(client);
    scheduler = new Scheduler(client, workloads);
    kubelet = new Kubelet(client, workloads, this::ended);
    garbageCollector = new GarbageCollector(client);
    api.admit(this::recordGangOverlap);
    installCrds();
  }

  /** Starts the API server with the MM1 CRDs; the components start with {@link #runControllers()}. */
  public static SimulatedCluster start() {
    return new SimulatedCluster();
  }

  /** Starts the Job controller, scheduler, kubelet and garbage collector. */
  public synchronized SimulatedCluster runControllers() {
    if (loop == null) {
      watches.add(client.pods().inAnyNamespace().watch(wakeOnEvent()));
      watches.add(client.batch().v1().jobs().inAnyNamespace().watch(wakeOnEvent()));
      watches.add(client.services().inAnyNamespace().watch(wakeOnEvent()));
      watches.add(client.configMaps().inAnyNamespace().watch(wakeOnEvent()));
      for (var kind : Snapshot.CUSTOM_RESOURCES) {
        watches.add(client.genericKubernetesResources(kind).inAnyNamespace().watch(wakeOnEvent()));
      }
      loop = Thread.ofPlatform().name("simulated-cluster").daemon().start(this::run);
    }
    return this;
  }

  /** The API server's base URL. */
  public String url() {
    return server.url("/");
  }

  public SimulatedApiServer apiServer() {
    return api;
  }

  /** The cluster's own client (User-Agent {@link #USER_AGENT}): for tests acting as users and kubectl. */
  public KubernetesClient client() {
    return client;
  }

  /** A new client of this API server with {@code userAgent} (null: Fabric8's default, e.g. for an operator). */
  public KubernetesClient newClient(String userAgent) {
    return newClient(userAgent, builder -> {});
  }

  public KubernetesClient newClient(String userAgent, Consumer<KubernetesClientBuilder> customize) {
    return server.createClient(builder -> {
      if (userAgent != null) {
        builder.editOrNewConfig().withUserAgent(userAgent).endConfig();
      }
      customize.accept(builder);
    });
  }

  // What the workers do (tests and the benchmark say it).

  /** Worker {@code index} of Job {@code job}: its running container exits with {@code code} (reason Error, or OOMKilled for 137). */
  public void exit(String job, int index, int code) {
    exit(job, index, code, code == 0 ? "Completed" : code == 137 ? "OOMKilled" : "Error");
  }

  public void exit(String job, int index, int code, String reason) {
    workloads.exit(job, index, new Workloads.Exit(code, reason));
    wake();
  }

  /** Every worker of {@code job} completes (exit 0). */
  public void complete(String job, int workers) {
    for (int index = 0; index < workers; index++) {
      workloads.exit(job, index, new Workloads.Exit(0, "Completed"));
    }
    wake();
  }

  /** The worker is disrupted (DisruptionTarget with {@code reason}, e.g. PreemptionByScheduler, then deleted). */
  public void disrupt(String job, int index, String reason) {
    workloads.disrupt(job, index, new Workloads.Disruption(reason, "simulated " + reason));
    wake();
  }

  /** How long the containers of {@code job} take to exit after SIGTERM (longer than the grace period: killed). */
  public void stopDelay(String job, Duration delay) {
    workloads.stopDelay(job, delay);
  }

  /** The same for every Job that has no delay of its own. */
  public void defaultStopDelay(Duration delay) {
    workloads.defaultStopDelay = delay;
  }

  /** The images of {@code job}'s pods cannot be pulled ({@code why} ends the kubelet's message). */
  public void imagePullFails(String job, String why) {
    workloads.pullError(job, why);
    wake();
  }

  /** No node fits the pods of {@code job} ({@code message} as the scheduler says it), or null: they fit again. */
  public void unschedulable(String job, String message) {
    workloads.unschedulable(job, message);
    wake();
  }

  /** The Job controller fails a Job at once (releases before 1.31), not after its pods terminated. */
  public void failJobsBeforePodsTerminate(boolean legacy) {
    jobController.failBeforePodsTerminate = legacy;
  }

  /** Every gang attempt that was created while pods of an earlier attempt of the same training existed. */
  public List<String> gangOverlaps() {
    return List.copyOf(gangOverlaps);
  }

  /** Called (on the cluster's thread) each time a container ends, with the time the kubelet saw it end. */
  public void onPodEnded(Consumer<PodEnded> listener) {
    podEndedListeners.add(listener);
  }

  /** Runs a pass of the components soon. */
  public void wake() {
    synchronized (signal) {
      dirty = true;
      signal.notifyAll();
    }
  }

  private void run() {
    Instant wakeAt = null;
    while (!closed) {
      synchronized (signal) {
        // A pass at least every second, even with no event: nothing a missed watch event hides stays hidden for long.
        var deadline = clock.instant().plusSeconds(1);
        if (wakeAt != null && wakeAt.isBefore(deadline)) {
          deadline = wakeAt;
        }
        long wait;
        while (!dirty && !closed && (wait = Duration.between(clock.instant(), deadline).toMillis()) > 0) {
          try {
            signal.wait(wait);
          } catch (InterruptedException e) {
            return;
          }
        }
        dirty = false;
      }
      if (closed) {
        return;
      }
      try {
        var snapshot = Snapshot.read(client, clock.instant());
        garbageCollector.sync(snapshot);
        jobController.sync(snapshot);
        scheduler.sync(snapshot);
        kubelet.sync(snapshot);
        wakeAt = snapshot.wakeAt();
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.debugf(e, "simulated cluster pass failed; the next pass tries again");
          wakeAt = clock.instant().plusMillis(50);
        }
      }
    }
  }

  private <T> Watcher<T> wakeOnEvent() {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T resource) {
        wake();
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private void ended(Pod pod) {
    var terminated = pod.getStatus().getContainerStatuses().getFirst().getState().getTerminated();
    var event = new PodEnded(pod.getMetadata().getName(), Workloads.job(pod), terminated.getExitCode(), clock.instant());
    podEndedListeners.forEach(l -> l.accept(event));
  }

  /** Admission that never refuses: it records a gang created while an earlier attempt's pods still exist. */
  private Optional<SimulatedApiServer.Refusal> recordGangOverlap(SimulatedApiServer.Request request, SimulatedApiServer store) {
    var path = ApiPath.parse(request.path());
    if (!request.method().equals("POST") || path.isEmpty() || !path.get().resource().equals("jobs")) {
      return Optional.empty();
    }
    var job = Serialization.unmarshal(request.bodyText(), GenericKubernetesResource.class);
    var labels = job.getMetadata().getLabels();
    if (labels == null || labels.get(Labels.PARENT_UID) == null || labels.get(Labels.ATTEMPT) == null) {
      return Optional.empty();
    }
    int attempt = Integer.parseInt(labels.get(Labels.ATTEMPT));
    for (var pod : store.list("/api/v1/namespaces/" + path.get().namespace() + "/pods?labelSelector=" + Labels.PARENT_UID + "%3D" + labels.get(Labels.PARENT_UID))) {
      var podAttempt = pod.getMetadata().getLabels().get(Labels.ATTEMPT);
      if (podAttempt != null && Integer.parseInt(podAttempt) < attempt) {
        gangOverlaps.add(String.format("Job %s (attempt %d) was created while pod %s of attempt %s existed",
            job.getMetadata().getName(), attempt, pod.getMetadata().getName(), podAttempt));
      }
    }
    return Optional.empty();
  }

  private void installCrds() {
    for (var plural : new String[] {"mm1trainings", "mm1evals"}) {
      try (InputStream in = SimulatedCluster.class.getClassLoader().getResourceAsStream("META-INF/mm1/crds/" + plural + ".mm1.dev.yaml")) {
        client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    wake();
    watches.forEach(Watch::close);
    client.close();
    server.destroy();
  }
}
