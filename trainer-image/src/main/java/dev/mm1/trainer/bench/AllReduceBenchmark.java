package dev.mm1.trainer.bench;

import dev.mm1.trainer.collective.CollectiveSettings;
import dev.mm1.trainer.collective.Rendezvous;
import dev.mm1.trainer.collective.RingCollective;
import dev.mm1.trainer.launch.JavaCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 bench allreduce}: bus bandwidth of the ring all-reduce between 2 processes on this
 * machine (loopback TCP) for buffers of 1 to 256 MB, beside the raw TCP throughput between the same
 * two processes measured in the same run, interleaved with it so that a busy moment slows both.
 * The raw baseline sends the same bytes in both directions at once, as the ring does (each rank
 * sends and receives the whole buffer once for n = 2), from a writer and a reader thread with
 * blocking sockets and nothing else to do. Bus bandwidth is NCCL's: size / time x 2(n - 1) / n.
 * Prints a table, then one JSON object on the last line.
 */
@Command(name = "allreduce", mixinStandardHelpOptions = true,
    description = "Ring all-reduce bus bandwidth between 2 processes beside raw loopback TCP throughput, in one run.")
public final class AllReduceBenchmark implements Callable<Integer> {
  @Option(names = "--sizes", split = ",", defaultValue = "1,4,16,64,256",
      description = "Buffer sizes in MB (default ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--repeats", defaultValue = "5", description = "Measurements per size and method; the median is kept (default ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--bucket-mb", defaultValue = "25", description = "All-reduce bucket size in MiB (default ${DEFAULT-VALUE}, the spec's default).")
  int bucketMegabytes;

  @Option(names = "--peer", hidden = true, description = "Internal: run as rank 1 against rank 0's ports RING,RAW.")
  String peer;

  public static void main(String[] args) {
    var line = new CommandLine(new AllReduceBenchmark());
    line.setExecutionExceptionHandler((e, command, parsed) -> {
      System.err.println("mm1 bench allreduce: " + e.getMessage());
      return 1;
    });
    System.exit(line.execute(args));
  }

  /** One size's medians. */
  record Row(int megabytes, double ringSeconds, double rawSeconds, double oneWaySeconds) {
    double bytes() {
      return megabytes * 1e6;
    }

    double busGbps() {
      return bytes() / ringSeconds / 1e9; // x 2(n-1)/n = 1 for two ranks
    }

    double rawGbps() {
      return bytes() / rawSeconds / 1e9;
    }

    double oneWayGbps() {
      return bytes() / oneWaySeconds / 1e9;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 1 || s > 1024) || repeats < 1 || bucketMegabytes < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--sizes 1..1024 MB, --repeats >= 1 and --bucket-mb >= 1 are required");
    }
    var settings = new CollectiveSettings(Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(60),
        bucketMegabytes << 20);
    if (peer != null) {
      var ports = peer.split(",");
      try (var ring = Rendezvous.join(new Rendezvous.Member(1, 2, 1, "bench"), "127.0.0.1", Integer.parseInt(ports[0]),
          settings, line -> {}); var raw = SocketChannel.open(new InetSocketAddress("127.0.0.1", Integer.parseInt(ports[1])))) {
        measure(ring, raw);
      }
      return 0;
    }
    int ringPort = freePort();
    var rawListener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    rawListener.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    int rawPort = ((InetSocketAddress) rawListener.getLocalAddress()).getPort();
    var args = new ArrayList<>(List.of("--peer", ringPort + "," + rawPort, "--repeats", Integer.toString(repeats),
        "--bucket-mb", Integer.toString(bucketMegabytes), "--sizes"));
    args.add(String.join(",", sizes.stream().map(String::valueOf).toList()));
    var child = new ProcessBuilder(JavaCommand.of(AllReduceBenchmark.class, List.of(), args))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (var ring = Rendezvous.join(new Rendezvous.Member(0, 2, 1, "bench"), "127.0.0.1", ringPort, settings,
        line -> {}); var raw = rawListener.accept()) {
      rawListener.close();
      System.out.printf(Locale.ROOT, "ring all-reduce, 2 processes over loopback TCP, buckets of %d MiB, median of %d%n",
          bucketMegabytes, repeats);
      System.out.printf(Locale.ROOT, "%8s %10s %12s %14s %8s %14s%n", "MB", "ring ms", "bus GB/s", "raw TCP GB/s", "ratio",
          "one-way GB/s");
      var rows = measure(ring, raw);
      double worst = Double.MAX_VALUE;
      var json = new StringBuilder("{\"benchmark\": \"allreduce\", \"ranks\": 2, \"bucketMiB\": " + bucketMegabytes
          + ", \"cpus\": " + Runtime.getRuntime().availableProcessors() + ", \"sizes\": [");
      for (int i = 0; i < rows.size(); i++) {
        var row = rows.get(i);
        double ratio = row.busGbps() / row.rawGbps();
        worst = Math.min(worst, ratio);
        System.out.printf(Locale.ROOT, "%8d %10.1f %12.3f %14.3f %7.0f%% %14.3f%n", row.megabytes(), row.ringSeconds() * 1e3,
            row.busGbps(), row.rawGbps(), ratio * 100, row.oneWayGbps());
        json.append(String.format(Locale.ROOT, "%s{\"mb\": %d, \"ringMs\": %.2f, \"busGBps\": %.4f, \"rawGBps\": %.4f,"
            + " \"ratio\": %.3f, \"oneWayGBps\": %.4f}", i == 0 ? "" : ", ", row.megabytes(), row.ringSeconds() * 1e3,
            row.busGbps(), row.rawGbps(), ratio, row.oneWayGbps()));
      }
      var largest = rows.getLast();
      json.append(String.format(Locale.ROOT, "], \"largestMB\": %d, \"ratioLargest\": %.3f, \"ratioWorst\": %.3f,"
          + " \"goal\": 0.7}", largest.megabytes(), largest.busGbps() / largest.rawGbps(), worst));
      System.out.println(json);
    } finally {
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    return child.exitValue() == 0 ? 0 : 1;
  }

  /** The same schedule on both ranks; rank 0's clock is the one reported. */
  private List<Row> measure(RingCollective ring, SocketChannel raw) throws Exception {
    raw.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    raw.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    raw.setOption(StandardSocketOptions.TCP_NODELAY, true);
    int largest = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    var data = ByteBuffer.allocateDirect(largest * 1_000_000).order(ByteOrder.LITTLE_ENDIAN);
    var incoming = ByteBuffer.allocateDirect(largest * 1_000_000);
    // Warm-up: the JIT compiles the reduction loop and the sockets' windows open.
    for (int i = 0; i < 3; i++) {
      allReduce(ring, data, Math.min(largest, 16) * 1_000_000);
      exchange(ring, raw, data, incoming, Math.min(largest, 16) * 1_000_000);
    }
    var rows = new ArrayList<Row>();
    for (int megabytes : sizes) {
      int bytes = megabytes * 1_000_000;
      var ringTimes = new double[repeats];
      var rawTimes = new double[repeats];
      var oneWayTimes = new double[repeats];
      for (int k = 0; k < repeats; k++) {
        ringTimes[k] = allReduce(ring, data, bytes);
        rawTimes[k] = exchange(ring, raw, data, incoming, bytes);
        oneWayTimes[k] = oneWay(ring, raw, data, incoming, bytes);
      }
      float expected = 1 + 2; // rank 0 adds 1.0, rank 1 adds 2.0
      for (int i = 0; i < bytes / 4; i += 4099) {
        if (data.getFloat(i * 4) != expected) {
          throw new IllegalStateException("the all-reduce of " + megabytes + " MB gave " + data.getFloat(i * 4) + " at float "
              + i + ", not " + expected);
        }
      }
      rows.add(new Row(megabytes, median(ringTimes), median(rawTimes), median(oneWayTimes)));
    }
    ring.barrier();
    return rows;
  }

  private static double allReduce(RingCollective ring, ByteBuffer data, int bytes) {
    float mine = ring.rank() + 1;
    for (int i = 0; i < bytes; i += 4) {
      data.putFloat(i, mine);
    }
    ring.barrier();
    long start = System.nanoTime();
    ring.allReduceSum(data.slice(0, bytes).order(ByteOrder.LITTLE_ENDIAN));
    return (System.nanoTime() - start) / 1e9;
  }

  /** Both ranks send {@code bytes} and receive as many, at once. */
  private static double exchange(RingCollective ring, SocketChannel raw, ByteBuffer out, ByteBuffer in, int bytes)
      throws Exception {
    var send = out.slice(0, bytes);
    var receive = in.slice(0, bytes);
    ring.barrier();
    long start = System.nanoTime();
    var writer = Thread.ofPlatform().start(() -> writeFully(raw, send));
    readFully(raw, receive);
    writer.join();
    return (System.nanoTime() - start) / 1e9;
  }

  /** Rank 0 sends {@code bytes}; rank 1 receives them and answers with one byte. */
  private static double oneWay(RingCollective ring, SocketChannel raw, ByteBuffer out, ByteBuffer in, int bytes) {
    ring.barrier();
    long start = System.nanoTime();
    if (ring.rank() == 0) {
      writeFully(raw, out.slice(0, bytes));
      readFully(raw, in.slice(0, 1));
    } else {
      readFully(raw, in.slice(0, bytes));
      writeFully(raw, out.slice(0, 1));
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void writeFully(SocketChannel channel, ByteBuffer buffer) {
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readFully(SocketChannel channel, ByteBuffer buffer) {
    try {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new IOException("the peer closed the raw connection");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double median(double[] values) {
    var sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** A port free on this machine now (the OS's choice). */
  static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
