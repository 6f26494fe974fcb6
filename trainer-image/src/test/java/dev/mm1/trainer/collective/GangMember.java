package dev.mm1.trainer.collective;

import java.time.Duration;

/**
 * Rank 1 of a two-rank gang in its own process, for tests that kill or stop a real process:
 * joins at 127.0.0.1:PORT with a peer timeout of SECONDS, prints "joined", and then only keeps
 * its gang monitor alive until its standard input closes. Arguments: PORT SECONDS.
 */
public final class GangMember {
  private GangMember() {}

  public static void main(String[] args) throws Exception {
    var settings = new CollectiveSettings(Duration.ofSeconds(Long.parseLong(args[1])), Duration.ofMinutes(5),
        Duration.ofSeconds(60), 1 << 20);
    try (var gang = Rendezvous.join(new Rendezvous.Member(1, 2, 1, Gang.CONFIG), "127.0.0.1", Integer.parseInt(args[0]),
        settings, line -> {})) {
      System.out.println("joined");
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the test closes our input
      }
    }
  }
}
