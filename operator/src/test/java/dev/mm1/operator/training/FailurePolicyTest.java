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
    assertThat(FailurePolicy.judge(job(null, 3), List.of(), policy(3, 2), 1, 0)).isEqualTo(new FailurePolicy.Verdict.Healthy(3, false));
  }

  @Test
  void aCompleteJobSucceeds() {
    assertThat(FailurePolicy.judge(job("Complete", 0), List.of(), policy(3), 1, 0)).isInstanceOf(FailurePolicy.Verdict.Succeeded.class);
  }

  @Test
  void aFailedWorkerRestartsTheGangWhileRestartsRemain() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(failed("t-a1-2", 137)), policy(3, 2), 2, 1);
    assertThat(verdict).isEqualTo(new FailurePolicy.Verdict.Restart("worker t-a1-2 exited with code 137 (Error)"));
  }

  @Test
  void aFailedPodBreaksTheGangBeforeTheJobNotices() {
    assertThat(FailurePolicy.judge(job(null, 3), List.of(failed("t-a1-0", 1)), policy(1), 1, 0))
        .isInstanceOf(FailurePolicy.Verdict.Restart.class);
  }

  @Test
  void noRestartsLeftFailsWithTheCause() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(failed("t-a4-0", 1)), policy(3, 2), 4, 3);
    assertThat(verdict).isInstanceOfSatisfying(FailurePolicy.Verdict.Fail.class, fail -> {
      assertThat(fail.reason()).isEqualTo(Reasons.RESTARTS_EXHAUSTED);
      assertThat(fail.message()).contains("attempt 4").contains("exited with code 1").contains("3 of 3 restarts");
    });
  }

  @Test
  void aNonRetryableExitCodeFailsAtOnceEvenWithRestartsLeft() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(failed("t-a1-1", 2)), policy(10, 2, 3), 1, 0);
    assertThat(verdict).isEqualTo(new FailurePolicy.Verdict.Fail(Reasons.NON_RETRYABLE_EXIT, "worker t-a1-1 exited with non-retryable code 2"));
  }

  @Test
  void aJobFailureWithoutPodsNamesTheJobCondition() {
    var verdict = FailurePolicy.judge(job("Failed", 0), List.of(), policy(3), 1, 0);
    assertThat(verdict).isEqualTo(new FailurePolicy.Verdict.Restart("Job t-a1 failed: BackoffLimitExceeded"));
  }
}
