package dev.mm1.trainer.collective;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.trainer.launch.JavaCommand;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A peer that is killed (SIGKILL: its connections close) or stopped (SIGSTOP: it is silent) is
 * lost within the peer timeout, named, and ends an operation that waits for it. Real processes.
 */
class GangProcessTest {
  private static final long PEER_TIMEOUT = 3;

  private record Pair(RingCollective rankZero, Process rankOne) {}

  private static Pair start() throws Exception {
    int port = Gang.freePort();
    var child = new ProcessBuilder(JavaCommand.of(GangMember.class, List.of(), List.of(Integer.toString(port),
        Long.toString(PEER_TIMEOUT)))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    var settings = new CollectiveSettings(Duration.ofSeconds(PEER_TIMEOUT), Duration.ofMinutes(5), Duration.ofSeconds(60),
        1 << 20);
    var rankZero = Rendezvous.join(new Rendezvous.Member(0, 2, 1, Gang.CONFIG), "127.0.0.1", port, settings, line -> {});
    var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("joined");
    return new Pair(rankZero, child);
  }

  /** Waits for an all-reduce that rank 1 never joins; returns how it ended. */
  private static Throwable waitingOperation(Pair pair, Runnable fault) throws Exception {
    var loss = new CompletableFuture<PeerLostException>();
    pair.rankZero().onPeerLost(loss::complete);
    var thread = Executors.newSingleThreadExecutor();
    var waiting = thread.submit(() -> pair.rankZero().allReduceSum(new double[] {1}));
    thread.shutdown();
    fault.run();
    assertThat(loss.get(60, TimeUnit.SECONDS).lostRank()).isEqualTo(1);
    try {
      waiting.get(60, TimeUnit.SECONDS);
      throw new AssertionError("the all-reduce finished without rank 1");
    } catch (ExecutionException e) {
      return e.getCause();
    } finally {
      pair.rankOne().destroyForcibly().waitFor();
      pair.rankZero().abort("test over");
    }
  }

  @Test
  void aKilledPeerIsLostAndNamed() throws Exception {
    var pair = start();
    var error = waitingOperation(pair, () -> pair.rankOne().destroyForcibly());
    assertThat(error).isInstanceOf(PeerLostException.class).hasMessageContaining("rank 1 (pid " + pair.rankOne().pid())
        .hasMessageContaining("closed its");
  }

  @Test
  void aStoppedPeerIsLostAfterThePeerTimeout() throws Exception {
    var pair = start();
    var error = waitingOperation(pair, () -> {
      try {
        new ProcessBuilder("kill", "-STOP", Long.toString(pair.rankOne().pid())).start().waitFor();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(error).isInstanceOf(PeerLostException.class).hasMessageContaining("rank 1 (pid " + pair.rankOne().pid())
        .hasMessageContaining("it sent nothing for").hasMessageContaining("peerTimeoutSeconds is 3");
  }
}
