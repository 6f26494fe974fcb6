package dev.mm1.local.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Job controller's decisions, table-style: which pods it makes, what it counts as a failure,
 * and in which order the Job's conditions come, as Kubernetes 1.31+ does it for our Jobs (Indexed,
 * backoffLimit 0, the operator's podFailurePolicy: FailJob for non-retryable codes, Ignore for
 * disrupted pods).
 */
class JobSyncTest {
  static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

  static Job job(int completions, Integer backoffLimit, boolean withPolicy) {
    var builder = new JobBuilder().withNewMetadata().withName("t-a1").withNamespace("default").withUid("job-uid").endMetadata()
        .withNewSpec().withCompletionMode("Indexed").withCompletions(completions).withParallelism(completions).withBackoffLimit(backoffLimit)
        .withNewTemplate().withNewSpec().addNewContainer().withName("trainer").withImage("trainer").endContainer().endSpec().endTemplate()
        .endSpec();
    if (withPolicy) {
      builder.editSpec().withNewPodFailurePolicy()
          .addToRules(new PodFailurePolicyRuleBuilder().withAction("FailJob").withNewOnExitCodes().withContainerName("trainer")
              .withOperator("In").withValues(64, 65, 66, 67).endOnExitCodes().build())
          .addToRules(new PodFailurePolicyRuleBuilder().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget")
              .withStatus("True").endOnPodCondition().build())
          .endPodFailurePolicy().endSpec();
    }
    return builder.build();
  }

  static Pod pod(int index, String phase, Integer exitCode, boolean deleting, boolean disrupted) {
    var builder = new PodBuilder().withNewMetadata().withName("t-a1-" + index + "-x" + (exitCode == null ? "" : exitCode))
        .withNamespace("default").addToAnnotations(JobSync.INDEX_LABEL, Integer.toString(index))
        .withDeletionTimestamp(deleting ? "2026-01-01T10:00:30Z" : null).endMetadata()
        .withNewStatus().withPhase(phase);
    if (phase.equals("Running")) {
      builder.addNewCondition().withType("Ready").withStatus("True").endCondition();
    }
    if (disrupted) {
      builder.addNewCondition().withType("DisruptionTarget").withStatus("True").withReason("TerminationByKubelet").endCondition();
    }
    if (exitCode != null) {
      builder.addNewContainerStatus().withName("trainer").withNewState().withNewTerminated().withExitCode(exitCode)
          .withFinishedAt("2026-01-01T09:59:00Z").endTerminated().endState().endContainerStatus();
    }
    return builder.endStatus().build();
  }

  static Job withConditions(Job job, List<JobCondition> conditions) {
    job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withConditions(conditions).build());
    return job;
  }

  static List<String> conditions(JobSync.Plan plan) {
    return plan.status().getConditions().stream().map(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason()).toList();
  }

  @Test
  void anIndexedJobGetsOnePodPerIndexThatHasNone() {
    var plan = JobSync.plan(job(3, 0, true), List.of(pod(1, "Running", null, false, false)), NOW);
    assertThat(plan.createIndexes()).containsExactly(0, 2);
    assertThat(plan.status().getActive()).isEqualTo(3);
    assertThat(plan.status().getReady()).isEqualTo(1);
    assertThat(plan.status().getStartTime()).isEqualTo("2026-01-01T10:00:00Z");
  }

  @Test
  void aKilledWorkerFailsAJobWithoutRetriesFirstAsFailureTargetThenAsFailedOnceNoPodIsLeft() {
    var job = job(2, 0, true);
    var killed = pod(0, "Failed", 137, false, false);
    var sibling = pod(1, "Running", null, false, false);
    var first = JobSync.plan(job, List.of(killed, sibling), NOW);
    assertThat(conditions(first)).containsExactly("FailureTarget=True/BackoffLimitExceeded");
    assertThat(first.delete()).containsExactly(sibling);
    assertThat(first.createIndexes()).isEmpty();
    assertThat(first.status().getFailed()).isEqualTo(1);

    var terminating = pod(1, "Running", null, true, false);
    var second = JobSync.plan(withConditions(job, first.status().getConditions()), List.of(killed, terminating), NOW);
    assertThat(conditions(second)).containsExactly("FailureTarget=True/BackoffLimitExceeded");
    assertThat(second.status().getTerminating()).isEqualTo(1);

    var third = JobSync.plan(withConditions(job, second.status().getConditions()), List.of(killed, pod(1, "Failed", 143, true, false)), NOW);
    assertThat(conditions(third)).containsExactly("FailureTarget=True/BackoffLimitExceeded", "Failed=True/BackoffLimitExceeded");
    assertThat(third.events()).extracting(JobSync.Event::reason).containsExactly("BackoffLimitExceeded");
  }

  @Test
  void aNonRetryableExitCodeFailsTheJobByItsPodFailurePolicyRule() {
    var plan = JobSync.plan(job(2, 0, true), List.of(pod(0, "Failed", 64, false, false)), NOW);
    assertThat(conditions(plan)).containsExactly("FailureTarget=True/PodFailurePolicy", "Failed=True/PodFailurePolicy");
    assertThat(plan.status().getConditions().getFirst().getMessage())
        .isEqualTo("Container trainer for pod default/t-a1-0-x64 failed with exit code 64 matching FailJob rule at index 0");
  }

  @Test
  void aDisruptedPodIsIgnoredAndItsIndexGetsANewPod() {
    var plan = JobSync.plan(job(2, 0, true), List.of(pod(0, "Failed", 143, false, true), pod(1, "Running", null, false, false)), NOW);
    assertThat(plan.status().getConditions()).isEmpty();
    assertThat(plan.status().getFailed()).isZero();
    assertThat(plan.createIndexes()).containsExactly(0);
  }

  @Test
  void aReplacementWaitsUntilThePreviousPodOfItsIndexIsGone() {
    var plan = JobSync.plan(job(1, 3, false), List.of(pod(0, "Running", null, true, false)), NOW);
    assertThat(plan.createIndexes()).isEmpty();
    var retry = JobSync.plan(job(1, 3, false), List.of(pod(0, "Failed", 1, false, false)), NOW);
    assertThat(retry.createIndexes()).containsExactly(0);
    assertThat(retry.status().getFailed()).isEqualTo(1);
  }

  @Test
  void everyIndexSucceededCompletesTheJobAfterSuccessCriteriaMet() {
    var plan = JobSync.plan(job(2, 0, true), List.of(pod(0, "Succeeded", 0, false, false), pod(1, "Succeeded", 0, false, false)), NOW);
    assertThat(conditions(plan)).containsExactly("SuccessCriteriaMet=True/CompletionsReached", "Complete=True/CompletionsReached");
    assertThat(plan.status().getCompletedIndexes()).isEqualTo("0-1");
    assertThat(plan.status().getSucceeded()).isEqualTo(2);
    assertThat(plan.status().getCompletionTime()).isEqualTo("2026-01-01T10:00:00Z");
  }

  @Test
  void aSuspendedJobHasNoPods() {
    var job = job(2, 0, true);
    job.getSpec().setSuspend(true);
    var running = pod(0, "Running", null, false, false);
    var plan = JobSync.plan(job, List.of(running), NOW);
    assertThat(plan.delete()).containsExactly(running);
    assertThat(plan.createIndexes()).isEmpty();
    assertThat(conditions(plan)).containsExactly("Suspended=True/JobSuspended");
  }

  @Test
  void completedIndexesAreWrittenAsRanges() {
    assertThat(JobSync.ranges(new java.util.TreeSet<>(List.of(0, 1, 2, 5, 7, 8)))).isEqualTo("0-2,5,7-8");
    assertThat(JobSync.ranges(new java.util.TreeSet<>(List.of(3)))).isEqualTo("3");
  }
}
