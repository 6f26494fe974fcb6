package dev.mm1.trainer.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Ranks that disagree are refused on every rank with a message naming the rank and the
 * difference; a rank that cannot reach rank 0 says so; nothing waits past the rendezvous timeout.
 */
class RendezvousTest {
  private static CollectiveSettings quick() {
    return new CollectiveSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(8), 1 << 20);
  }

  /** Joins each member on its own thread and returns each one's error (or null when it joined). */
  private static List<Throwable> join(int port, Rendezvous.Member... members) throws Exception {
    var futures = new ArrayList<CompletableFuture<RingCollective>>();
    // One thread per member: the common pool may have a single thread on a small machine.
    var threads = java.util.concurrent.Executors.newFixedThreadPool(members.length);
    for (var member : members) {
      futures.add(CompletableFuture.supplyAsync(() -> {
        try {
          return Rendezvous.join(member, "127.0.0.1", port, quick(), line -> {});
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, threads));
    }
    threads.shutdown();
    var errors = new ArrayList<Throwable>();
    for (var future : futures) {
      try {
        future.get(60, TimeUnit.SECONDS).close();
        errors.add(null);
      } catch (ExecutionException e) {
        errors.add(e.getCause());
      }
    }
    return errors;
  }

  @Test
  void anotherConfigIsRefusedOnBothRanksNamingTheRank() throws Exception {
    var errors = join(Gang.freePort(), new Rendezvous.Member(0, 2, 1, "aaa"), new Rendezvous.Member(1, 2, 1, "bbb"));
    for (var error : errors) {
      assertThat(error).isInstanceOf(RendezvousException.class)
          .hasMessageContaining("rank 1 (pid").hasMessageContaining("runs config sha256 bbb, rank 0 runs aaa");
      assertThat(((RendezvousException) error).retryable()).isFalse();
    }
  }

  @Test
  void anotherWorldSizeOrTwoClaimsOfOneRankAreRefused() throws Exception {
    var sizes = join(Gang.freePort(), new Rendezvous.Member(0, 2, 1, "c"), new Rendezvous.Member(1, 3, 1, "c"));
    assertThat(sizes.getFirst()).hasMessageContaining("runs with world size 3, rank 0 with 2");
    var twice = join(Gang.freePort(), new Rendezvous.Member(0, 3, 1, "c"), new Rendezvous.Member(1, 3, 1, "c"),
        new Rendezvous.Member(1, 3, 1, "c"));
    assertThat(twice.getFirst()).hasMessageContaining("two workers claim rank 1");
    assertThat(((RendezvousException) twice.getFirst()).retryable()).isFalse();
  }

  @Test
  void aWorkerOfAnotherAttemptIsRefusedAsRetryable() throws Exception {
    var errors = join(Gang.freePort(), new Rendezvous.Member(0, 2, 2, "c"), new Rendezvous.Member(1, 2, 1, "c"));
    for (var error : errors) {
      assertThat(error).hasMessageContaining("belongs to gang attempt 1, rank 0 to attempt 2");
      assertThat(((RendezvousException) error).retryable()).isTrue();
    }
  }

  @Test
  void aRankThatCannotReachRankZeroSaysSoAfterTheTimeout() throws Exception {
    int port = Gang.freePort(); // nobody listens
    var settings = new CollectiveSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(2), 1 << 20);
    var lines = new ArrayList<String>();
    assertThatThrownBy(() -> Rendezvous.join(new Rendezvous.Member(1, 2, 1, "c"), "127.0.0.1", port, settings, lines::add))
        .isInstanceOf(RendezvousException.class)
        .hasMessageContaining("rank 1 cannot reach rank 0 at MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port)
        .hasMessageContaining("Connection refused");
    assertThat(lines).anySatisfy(line -> assertThat(line).contains("waiting for rank 0"));
    assertThatThrownBy(() -> Rendezvous.join(new Rendezvous.Member(1, 2, 1, "c"), "no-such-host.invalid", port, settings,
        line -> {})).hasMessageContaining("does not resolve");
  }

  @Test
  void rankZeroNamesTheRanksThatNeverCame() throws Exception {
    var settings = new CollectiveSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(2), 1 << 20);
    assertThatThrownBy(() -> Rendezvous.join(new Rendezvous.Member(0, 3, 1, "c"), "127.0.0.1", Gang.freePort(), settings,
        line -> {})).isInstanceOf(RendezvousException.class).hasMessageContaining("ranks [1, 2] never connected");
  }
}
