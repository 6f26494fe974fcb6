package dev.mm1.trainer.collective;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A rank that stops with an error makes every other rank's operation end with a
 * {@link PeerLostException} naming it and its reason; a rank that is alive but never joins an
 * operation ends the others' wait after the collective timeout. (Killed and stopped processes:
 * {@code dev.mm1.trainer.DataParallelTest}.)
 */
class PeerLossTest {
  @Test
  void aRankThatFailsIsNamedWithItsReasonOnEveryOtherRank() throws Exception {
    try (var gang = Gang.of(3, Gang.settings(1 << 20))) {
      var heard = new CopyOnWriteArrayList<PeerLostException>();
      gang.ranks.get(1).onPeerLost(heard::add);
      var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
      var waiting = CompletableFuture.runAsync(() -> gang.ranks.get(1).allReduceSum(new double[] {1}), threads);
      var alsoWaiting = CompletableFuture.runAsync(() -> gang.ranks.get(0).allReduceSum(new double[] {1}), threads);
      threads.shutdown();
      gang.ranks.get(2).abort("the data ran out");
      for (var future : java.util.List.of(waiting, alsoWaiting)) {
        try {
          future.get(30, TimeUnit.SECONDS);
          throw new AssertionError("the operation finished without rank 2");
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(PeerLostException.class)
              .hasMessageContaining("rank 2 (pid").hasMessageContaining("the data ran out");
          assertThat(((PeerLostException) e.getCause()).lostRank()).isEqualTo(2);
        }
      }
      // The loss is recorded (failing the operations) before the listeners are told, on the thread that
      // noticed it: the listener may run just after the operations ended.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !heard.isEmpty());
      assertThat(heard).hasSize(1);
    }
  }

  @Test
  void aRankAliveButStuckEndsTheWaitAfterTheCollectiveTimeout() throws Exception {
    var settings = new CollectiveSettings(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(30), 1 << 20);
    try (var gang = Gang.of(2, settings)) {
      var waiting = CompletableFuture.runAsync(() -> gang.ranks.get(0).allReduceSum(new double[] {1}));
      try {
        waiting.get(30, TimeUnit.SECONDS);
        throw new AssertionError("the operation finished without rank 1");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(PeerLostException.class).hasMessageContaining("rank 1 (pid")
            .hasMessageContaining("waited").hasMessageContaining("collectiveTimeoutSeconds");
      }
    }
  }
}
