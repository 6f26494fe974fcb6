package dev.mm1.local.node;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Job controller: applies {@link JobSync}'s plan for each Job (creates the indexed pods,
 * deletes pods of failed or suspended Jobs, writes the status, records events). Pods get what the
 * real controller gives them: the template, the Job's labels and owner reference, for Indexed Jobs
 * the completion index (label, annotation and {@code JOB_COMPLETION_INDEX}) and the host name
 * {@code <job>-<index>}.
 */
final class JobController {
  private static final Logger LOG = Logger.getLogger(JobController.class.getName());
  static final String COMPONENT = "job-controller";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private final KubernetesClient client;
  private final Events events;
  private final java.util.Random random = new java.security.SecureRandom();

  JobController(KubernetesClient client, Events events) {
    this.client = client;
    this.events = events;
  }

  void sync(List<Job> jobs, List<Pod> pods) {
    var now = Instant.now();
    for (var job : jobs) {
      if (job.getMetadata().getDeletionTimestamp() != null) {
        continue; // the garbage collector deletes its pods
      }
      var uid = job.getMetadata().getUid();
      var owned = pods.stream().filter(p -> p.getMetadata().getOwnerReferences() != null
          && p.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()))).toList();
      try {
        apply(job, JobSync.plan(job, owned, now));
      } catch (KubernetesClientException e) {
        LOG.log(Level.FINE, "syncing job " + job.getMetadata().getName(), e);
      }
    }
  }

  private void apply(Job job, JobSync.Plan plan) {
    var namespace = job.getMetadata().getNamespace();
    for (var pod : plan.delete()) {
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).delete();
        events.normal(job, COMPONENT, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
      }
    }
    var created = new ArrayList<Pod>();
    for (var index : plan.createIndexes()) {
      created.add(pod(job, index));
    }
    for (int i = 0; i < plan.createCount(); i++) {
      created.add(pod(job, null));
    }
    for (var pod : created) {
      client.pods().inNamespace(namespace).resource(pod).create();
      events.normal(job, COMPONENT, "SuccessfulCreate", "Created pod: " + pod.getMetadata().getName());
    }
    var status = plan.status();
    if (!Objects.equals(JSON.valueToTree(status), JSON.valueToTree(job.getStatus()))) {
      client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.createObjectNode().set("status", JSON.valueToTree(status)).toString());
    }
    for (var event : plan.events()) {
      events.record(job, COMPONENT, event.type(), event.reason(), event.message());
    }
  }

  private Pod pod(Job job, Integer index) {
    var template = job.getSpec().getTemplate();
    var name = job.getMetadata().getName() + (index == null ? "" : "-" + index) + "-" + suffix();
    var labels = new LinkedHashMap<String, String>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    labels.put("controller-uid", job.getMetadata().getUid());
    labels.put("job-name", job.getMetadata().getName());
    var annotations = new LinkedHashMap<String, String>();
    if (template.getMetadata() != null && template.getMetadata().getAnnotations() != null) {
      annotations.putAll(template.getMetadata().getAnnotations());
    }
    var spec = JSON.convertValue(JSON.valueToTree(template.getSpec()), io.fabric8.kubernetes.api.model.PodSpec.class);
    if (index != null) {
      labels.put(JobSync.INDEX_LABEL, index.toString());
      annotations.put(JobSync.INDEX_LABEL, index.toString());
      spec.setHostname(job.getMetadata().getName() + "-" + index);
      for (var container : spec.getContainers()) {
        var env = new ArrayList<EnvVar>(container.getEnv() == null ? List.of() : container.getEnv());
        env.add(new EnvVarBuilder().withName("JOB_COMPLETION_INDEX").withNewValueFrom().withNewFieldRef()
            .withFieldPath("metadata.annotations['" + JobSync.INDEX_LABEL + "']").endFieldRef().endValueFrom().build());
        container.setEnv(env);
      }
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(job.getMetadata().getName())
            .withUid(job.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withSpec(spec)
        .withNewStatus().withPhase("Pending").endStatus()
        .build();
  }

  /** Five characters as Kubernetes' name generator picks them. */
  private String suffix() {
    var chars = new char[5];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    return new String(chars);
  }
}
