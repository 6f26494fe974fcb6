package dev.mm1.trainer.collective;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Several ranks of one gang as threads of this JVM, linked over loopback TCP. */
final class Gang implements AutoCloseable {
  static final String CONFIG = "sha256-of-the-config";
  final List<RingCollective> ranks;
  private final ExecutorService threads;

  private Gang(List<RingCollective> ranks, ExecutorService threads) {
    this.ranks = ranks;
    this.threads = threads;
  }

  static CollectiveSettings settings(int bucketBytes) {
    return new CollectiveSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), bucketBytes);
  }

  static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static Gang of(int size, CollectiveSettings settings) throws Exception {
    int port = freePort();
    var threads = Executors.newFixedThreadPool(size);
    var joins = new ArrayList<Future<RingCollective>>();
    for (int r = 0; r < size; r++) {
      var member = new Rendezvous.Member(r, size, 1, CONFIG);
      joins.add(threads.submit(() -> Rendezvous.join(member, "127.0.0.1", port, settings, line -> {})));
    }
    var ranks = new ArrayList<RingCollective>();
    for (var join : joins) {
      ranks.add(join.get(60, TimeUnit.SECONDS));
    }
    return new Gang(ranks, threads);
  }

  /** Runs {@code work} on every rank at once and returns the results in rank order. */
  <T> List<T> onEveryRank(IntFunction<Callable<T>> work) throws Exception {
    var futures = new ArrayList<Future<T>>();
    for (int r = 0; r < ranks.size(); r++) {
      futures.add(threads.submit(work.apply(r)));
    }
    var out = new ArrayList<T>();
    for (var future : futures) {
      out.add(future.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    onEveryRank(r -> () -> {
      ranks.get(r).close();
      return null;
    });
    threads.shutdownNow();
  }
}
