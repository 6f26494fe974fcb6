package dev.mm1.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Label and annotation keys on children; every child carries its parent's name, UID and role. */
public final class Labels {
  private Labels() {}

  public static final String PREFIX = "mm1.dev/";
  /** Name of the MM1Training or MM1Eval that owns the child. */
  public static final String PARENT_NAME = PREFIX + "parent-name";
  /** UID of the owning custom resource (a recreated CR with the same name does not adopt old children). */
  public static final String PARENT_UID = PREFIX + "parent-uid";
  /** Kind of the owner: MM1Training or MM1Eval. */
  public static final String PARENT_KIND = PREFIX + "parent-kind";
  /** What the child is: config, service, worker, evaluator, checkpoints. */
  public static final String ROLE = PREFIX + "role";
  /** Gang attempt of a Job and its pods. */
  public static final String ATTEMPT = PREFIX + "attempt";
  /**
   * Worker index of a pod; Kubernetes sets it on Indexed Job pods (1.28+), so it is read, not written.
   */
  public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  /** Kueue's LocalQueue label. */
  public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
  /** Kueue topology-aware scheduling: the gang must fit in one domain of this node-label level. */
  public static final String KUEUE_REQUIRED_TOPOLOGY = "kueue.x-k8s.io/podset-required-topology";
  /** Kueue topology-aware scheduling: the gang should fit in one domain of this level, else wider. */
  public static final String KUEUE_PREFERRED_TOPOLOGY = "kueue.x-k8s.io/podset-preferred-topology";

  /** sha256 of the rendered configuration, on the pod template: a config change is a new pod spec. */
  public static final String CONFIG_HASH = PREFIX + "config-hash";
  /** sha256 of the spec fields that cannot change after the first Job (on the ConfigMap). */
  public static final String ACCEPTED_SPEC_HASH = PREFIX + "accepted-spec-hash";

  public static final String ROLE_CONFIG = "config";
  public static final String ROLE_SERVICE = "service";
  public static final String ROLE_WORKER = "worker";
  public static final String ROLE_EVALUATOR = "evaluator";
  public static final String ROLE_CHECKPOINTS = "checkpoints";

  /** The labels every child of {@code parent} carries, with its role. */
  public static Map<String, String> of(HasMetadata parent, String role) {
    var labels = new LinkedHashMap<String, String>();
    labels.put(PARENT_NAME, parent.getMetadata().getName());
    labels.put(PARENT_UID, parent.getMetadata().getUid());
    labels.put(PARENT_KIND, parent.getKind());
    labels.put(ROLE, role);
    return labels;
  }

  /**
   * Metadata of a child of {@code parent}: its name, namespace, labels and, when {@code owned}, a
   * controller owner reference (deleting the parent deletes the child).
   */
  public static ObjectMeta childMeta(HasMetadata parent, String name, String role, boolean owned) {
    var meta = new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(parent.getMetadata().getNamespace())
        .withLabels(of(parent, role));
    if (owned) {
      meta.withOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion(parent.getApiVersion())
          .withKind(parent.getKind())
          .withName(parent.getMetadata().getName())
          .withUid(parent.getMetadata().getUid())
          .withController(true)
          .withBlockOwnerDeletion(true)
          .build());
    }
    return meta.build();
  }

  /** Whether {@code child} belongs to the parent with {@code uid}. */
  public static boolean isChildOf(HasMetadata child, String uid) {
    var labels = child.getMetadata().getLabels();
    return labels != null && uid.equals(labels.get(PARENT_UID));
  }

  /** Labels that select one parent's pods of one role, for the Service and for pod lookups. */
  public static Map<String, String> selector(HasMetadata parent, String role) {
    return Map.of(PARENT_UID, parent.getMetadata().getUid(), ROLE, role);
  }
}
