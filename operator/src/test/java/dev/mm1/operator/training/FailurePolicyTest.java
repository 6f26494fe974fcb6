package dev.mm1.operator.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.v1alpha1.FailurePolicySpec;
import dev.mm1.operator.Reasons;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {
  static final java.time.Instant NOW = java.time.Instant.parse("2026-01-01T00:00:00Z");
  static FailurePolicySpec policy(int maxRestarts, Integer... nonRetryable) {
    var policy = new FailurePolicySpec();
    policy.maxRestarts = maxRestarts;
    policy.nonRetryableExitCodes = List.of(nonRetryable);
    return policy;
  }

  static Job job(String condition, Integer ready) {
    var builder = new JobBuilder().withNewMetadata().withName("t-a1").endMetadata()
        .withNewSpec().withCompletions(4).endSpec().withNewStatus().withReady(ready);
    if (condition != null) {
      builder.addNewCondition().withType(condition).withStatus("True").withReason("BackoffLimitExceeded").endCondition();
    }
    return builder.endStatus().build();
  }

  static Pod failed(String name, int exitCode) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().withPhase("Failed")
        .addNewContainerStatus().withName("trainer").withNewState().withNewTerminated().withExitCode(exitCode).withReason("Error")
        .endTerminated().endState().endContainerStatus().endStatus().build();
  }

  @Test
  void aHealthyGangReportsItsReadyWorkers() {
    assertThat(FailurePolicy.judge(job(null, 3), List.of(), policy(3, 2), 1, 0, NOW)).isEqualTo(new FailurePolicy.Verdict.Healthy(3, false));
  }

  @Test
  void aCompleteJobSucceeds() {
    assertThat(FailurePolicy.judge(job("Complete", 0), List.of(), policy(3), 1, 0, NOW)).isInstanceOf(FailurePolicy.Verdict.Succeeded.class);
  }

  @Test
  void aFailedWorkerRestartsTheGangWhileRestartsRemain() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(failed("t-a1-2", 137)), policy(3, 2), 2, 1, NOW);
    assertThat(verdict).isEqualTo(new FailurePolicy.Verdict.Restart("worker t-a1-2 exited with code 137 (Error)", true));
  }

  @Test
  void aFailedPodBreaksTheGangBeforeTheJobNotices() {
    assertThat(FailurePolicy.judge(job(null, 3), List.of(failed("t-a1-0", 1)), policy(1), 1, 0, NOW))
        .isInstanceOf(FailurePolicy.Verdict.Restart.class);
  }

  @Test
  void noRestartsLeftFailsWithTheCause() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(failed("t-a4-0", 1)), policy(3, 2), 4, 3, NOW);
    assertThat(verdict).isInstanceOfSatisfying(FailurePolicy.Verdict.Fail.class, fail -> {
      assertThat(fail.reason()).isEqualTo(Reasons.RESTARTS_EXHAUSTED);
      assertThat(fail.message()).contains("attempt 4").contains("exited with code 1").contains("3 of 3 restarts");
    });
  }

  @Test
  void aNonRetryableExitCodeFailsAtOnceEvenWithRestartsLeft() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(failed("t-a1-1", 2)), policy(10, 2, 3), 1, 0, NOW);
    assertThat(verdict).isEqualTo(new FailurePolicy.Verdict.Fail(Reasons.NON_RETRYABLE_EXIT, "worker t-a1-1 exited with non-retryable code 2"));
  }

  @Test
  void aJobFailureWithoutPodsNamesTheJobCondition() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(), policy(3), 1, 0, NOW);
    assertThat(verdict).isEqualTo(new FailurePolicy.Verdict.Restart("Job t-a1 failed: BackoffLimitExceeded", true));
  }

  /** Kubernetes 1.31+: FailureTarget is set at once, Failed only after every pod terminated. */
  @Test
  void theFailureTargetConditionDecidesLikeFailed() {
    var job = new JobBuilder().withNewMetadata().withName("t-a1").endMetadata().withNewSpec().withCompletions(2).endSpec()
        .withNewStatus().withFailed(1).addNewCondition().withType("FailureTarget").withStatus("True").withReason("PodFailurePolicy")
        .withMessage("Container trainer for pod default/t-a1-1-x failed with exit code 66 matching FailJob rule at index 0")
        .withLastTransitionTime(NOW.toString()).endCondition().endStatus().build();
    assertThat(FailurePolicy.judge(job, List.of(), policy(3), 1, 0, NOW)).isInstanceOf(FailurePolicy.Verdict.Fail.class);
  }

  /** The Job counted a failed pod the operator's cache does not have yet: wait for the pod, never restart blind. */
  @Test
  void aCountedFailureWithoutItsPodWaits() {
    var job = new JobBuilder().withNewMetadata().withName("t-a1").endMetadata().withNewSpec().withCompletions(2).endSpec()
        .withNewStatus().withFailed(1).withActive(1).endStatus().build();
    assertThat(FailurePolicy.judge(job, List.of(), policy(3), 1, 0, NOW)).isEqualTo(new FailurePolicy.Verdict.Wait());
    var failing = new JobBuilder(job).editStatus().addNewCondition().withType("FailureTarget").withStatus("True")
        .withReason("BackoffLimitExceeded").withLastTransitionTime(NOW.minusSeconds(2).toString()).endCondition().endStatus().build();
    assertThat(FailurePolicy.judge(failing, List.of(), policy(3), 1, 0, NOW)).isEqualTo(new FailurePolicy.Verdict.Wait());
    assertThat(FailurePolicy.judge(failing, List.of(), policy(3), 1, 0, NOW.plusSeconds(60))).isInstanceOf(FailurePolicy.Verdict.Restart.class);
  }

  static Pod finished(String name, int index, int exitCode, String finishedAt, String deletedAt, String disruption) {
    var builder = new PodBuilder().withNewMetadata().withName(name).withDeletionTimestamp(deletedAt)
        .addToLabels(dev.mm1.operator.Labels.COMPLETION_INDEX, Integer.toString(index)).endMetadata()
        .withNewStatus().withPhase("Failed");
    if (disruption != null) {
      builder.addNewCondition().withType(FailurePolicy.DISRUPTION_TARGET).withStatus("True").withReason(disruption)
          .withLastTransitionTime(finishedAt).endCondition();
    }
    return builder.addNewContainerStatus().withName("trainer").withNewState().withNewTerminated().withExitCode(exitCode)
        .withFinishedAt(finishedAt).endTerminated().endState().endContainerStatus().endStatus().build();
  }

  static Job failedJob(String reason, String message, String at) {
    return new JobBuilder().withNewMetadata().withName("t-a1").endMetadata().withNewSpec().withCompletions(4).endSpec()
        .withNewStatus().withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason(reason).withMessage(message)
        .withLastTransitionTime(at).endCondition().endStatus().build();
  }

  @Test
  void aNonRetryableExitFailsWhicheverEventArrivesFirst() {
    var policy = policy(10, 64, 65, 66, 67);
    // The Job's podFailurePolicy verdict alone (the pod not in the cache yet):
    var jobFirst = FailurePolicy.judge(failedJob("PodFailurePolicy", "Container trainer for pod default/t-a1-2 failed with exit code 66 matching FailJob rule at index 0", "2026-01-01T00:00:00Z"),
        List.of(), policy, 1, 0, NOW);
    // The pod alone (the Job controller has not synced yet):
    var podFirst = FailurePolicy.judge(job(null, 3), List.of(finished("t-a1-2", 2, 66, "2026-01-01T00:00:00Z", null, null)), policy, 1, 0, NOW);
    assertThat(jobFirst).isInstanceOfSatisfying(FailurePolicy.Verdict.Fail.class, f -> assertThat(f.reason()).isEqualTo(Reasons.NON_RETRYABLE_EXIT));
    assertThat(podFirst).isInstanceOfSatisfying(FailurePolicy.Verdict.Fail.class, f -> assertThat(f.reason()).isEqualTo(Reasons.NON_RETRYABLE_EXIT));
  }

  @Test
  void aJobThatFailedBeforeItsPodIsSeenWaitsForThePod() {
    var justNow = failedJob("BackoffLimitExceeded", "Job has reached the specified backoff limit", "2026-01-01T00:00:00Z");
    assertThat(FailurePolicy.judge(justNow, List.of(), policy(3), 1, 0, NOW)).isInstanceOf(FailurePolicy.Verdict.Wait.class);
    assertThat(FailurePolicy.judge(justNow, List.of(), policy(3), 1, 0, NOW.plusSeconds(30))).isInstanceOf(FailurePolicy.Verdict.Restart.class);
  }

  @Test
  void theCauseIsTheWorkerThatFailedFirstNotASiblingKilledAfterwards() {
    // Worker 3 ran out of memory; the Job failed and its controller killed worker 0 (SIGTERM, earlier index).
    var killed = finished("t-a1-0", 0, 143, "2026-01-01T00:00:05Z", "2026-01-01T00:00:03Z", null);
    var first = finished("t-a1-3", 3, 137, "2026-01-01T00:00:02Z", null, null);
    var verdict = FailurePolicy.judge(failedJob("BackoffLimitExceeded", "", "2026-01-01T00:00:02Z"), List.of(killed, first), policy(3), 1, 0, NOW);
    assertThat(verdict).isEqualTo(new FailurePolicy.Verdict.Restart("worker t-a1-3 exited with code 137", true));
  }

  @Test
  void aDisruptionRestartsTheGangWithoutUsingUpRestarts() {
    // A preempted worker, then its peer losing the rendezvous (exit 75) a little later.
    var preempted = finished("t-a1-1", 1, 143, "2026-01-01T00:00:01Z", "2026-01-01T00:00:00Z", "PreemptionByScheduler");
    var peer = finished("t-a1-0", 0, 75, "2026-01-01T00:00:04Z", null, null);
    var verdict = FailurePolicy.judge(failedJob("BackoffLimitExceeded", "", "2026-01-01T00:00:04Z"), List.of(peer, preempted), policy(0), 1, 0, NOW);
    assertThat(verdict).isInstanceOfSatisfying(FailurePolicy.Verdict.Restart.class, r -> {
      assertThat(r.counted()).isFalse();
      assertThat(r.cause()).contains("t-a1-1").contains("PreemptionByScheduler");
    });
  }
}
