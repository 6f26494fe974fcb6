package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a one-node cluster runs besides its API server, for our Jobs: the scheduler, the Job
 * controller, the kubelet, a local-path volume provisioner and the garbage collector. They work
 * through the Kubernetes API only, from informers, in one loop that runs whenever a Job, pod or
 * claim changes or a container exits (and at least every second).
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NodeAgent.class.getName());
  private static final Duration TICK = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final NodeConfig node;
  private final Semaphore work = new Semaphore(0);
  private final Events events;
  private final Scheduler scheduler;
  private final JobController jobs;
  private final Kubelet kubelet;
  private final GarbageCollector collector;
  private final List<String[]> ownerKinds;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<Job> jobInformer;
  private SharedIndexInformer<Pod> podInformer;
  private SharedIndexInformer<PersistentVolumeClaim> claimInformer;
  private Thread loop;
  private volatile boolean running;

  /**
   * @param ownerKinds apiVersion and kind of custom resources that own children (for the garbage collector)
   */
  public NodeAgent(KubernetesClient client, NodeConfig node, List<String[]> ownerKinds) {
    this.client = client;
    this.node = node;
    this.ownerKinds = List.copyOf(ownerKinds);
    this.events = new Events(client, node.name());
    this.scheduler = new Scheduler(client, node, events);
    this.jobs = new JobController(client, events);
    this.kubelet = new Kubelet(client, node, new Ports(), events, this::wake);
    this.collector = new GarbageCollector(client);
  }

  /** The kubelet's container logs, for the API server's pods/log. */
  public dev.mm1.local.apiserver.PodLogs logs() {
    return kubelet;
  }

  public void start() {
    int leftovers = ContainerProcess.killLeftovers(node.state());
    if (leftovers > 0) {
      LOG.warning(() -> "stopped " + leftovers + " processes a previous run of this node left behind");
    }
    registerNode();
    ResourceEventHandler<Object> wakeUp = new ResourceEventHandler<>() {
      @Override
      public void onAdd(Object obj) {
        wake();
      }

      @Override
      public void onUpdate(Object oldObj, Object newObj) {
        wake();
      }

      @Override
      public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
        wake();
      }
    };
    jobInformer = client.batch().v1().jobs().inAnyNamespace().inform(cast(wakeUp), 0);
    podInformer = client.pods().inAnyNamespace().inform(cast(wakeUp), 0);
    claimInformer = client.persistentVolumeClaims().inAnyNamespace().inform(cast(wakeUp), 0);
    informers.addAll(List.of(jobInformer, podInformer, claimInformer));
    kubelet.recover(podInformer.getStore().list());
    running = true;
    loop = Thread.ofPlatform().name("node-agent").daemon().start(this::run);
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
  }

  void wake() {
    work.release();
  }

  private void run() {
    long sweeps = 0;
    while (running) {
      try {
        work.tryAcquire(TICK.toMillis(), TimeUnit.MILLISECONDS);
        work.drainPermits();
        if (!running) {
          break;
        }
        Volumes.bind(client, node, claimInformer.getStore().list());
        var pods = podInformer.getStore().list();
        scheduler.sync(pods);
        jobs.sync(jobInformer.getStore().list(), pods);
        kubelet.sync(podInformer.getStore().list());
        if (sweeps++ % 2 == 0) {
          collector.sync(ownerKinds);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "node agent sync failed; retrying", e);
      }
    }
  }

  private void registerNode() {
    var capacity = new java.util.LinkedHashMap<String, Quantity>();
    capacity.put("cpu", new Quantity(Integer.toString(node.cpus())));
    capacity.put("memory", new Quantity(Long.toString(node.memoryBytes())));
    capacity.put("pods", new Quantity("110"));
    var now = Scheduler.now();
    var object = new NodeBuilder()
        .withNewMetadata().withName(node.name()).addToLabels("kubernetes.io/hostname", node.name())
        .addToLabels("kubernetes.io/os", "linux").addToLabels("node-role.kubernetes.io/local", "").endMetadata()
        .withNewStatus()
        .withCapacity(capacity).withAllocatable(capacity)
        .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").withMessage("mm1 local node agent is posting ready status")
        .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
        .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
        .addNewAddress().withType("Hostname").withAddress(node.name()).endAddress()
        .withNewNodeInfo().withKubeletVersion("v1.32.0-mm1-local").withOperatingSystem("linux")
        .withArchitecture(System.getProperty("os.arch")).withOsImage(System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .withContainerRuntimeVersion("mm1-local://processes").withKernelVersion(System.getProperty("os.version"))
        .withKubeProxyVersion("").withMachineID("").withSystemUUID("").withBootID("").endNodeInfo()
        .endStatus()
        .build();
    client.nodes().resource(object).createOr(existing -> existing.update());
    client.nodes().withName(node.name()).editStatus(n -> {
      n.setStatus(object.getStatus());
      return n;
    });
  }

  /**
   * Stops the node as a graceful node shutdown does: every running pod is stopped (SIGTERM, then
   * SIGKILL after at most {@code grace}) and reported Failed with DisruptionTarget, so the operator
   * restarts its gang without counting it against maxRestarts when the node is back.
   */
  public void shutdown(Duration grace) {
    running = false;
    wake();
    if (loop != null) {
      try {
        loop.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    kubelet.shutdown(grace);
  }

  @Override
  public void close() {
    if (running) {
      shutdown(Duration.ofSeconds(30));
    }
    informers.forEach(SharedIndexInformer::close);
  }
}
