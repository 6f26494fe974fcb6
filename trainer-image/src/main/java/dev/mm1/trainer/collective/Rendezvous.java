package dev.mm1.trainer.collective;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Forms the gang: rank 0 listens on MASTER_PORT, the other ranks connect to MASTER_ADDR with
 * retries until the rendezvous deadline, and each says who it is (rank, world size, gang attempt,
 * config hash, where its ring link listens). Rank 0 checks that all agree, then sends everyone the
 * table of ring addresses; a disagreement is refused on every rank with a message naming the rank
 * and the difference. Each rank then links to the next rank of the ring and accepts the previous
 * one, the control connections to rank 0 become the {@link GangMonitor}'s, and a barrier proves the
 * ring carries data.
 */
public final class Rendezvous {
  /** Socket buffers large enough that a bucket streams without waiting for acknowledgements on a fast link. */
  private static final int SOCKET_BUFFER = 4 << 20;
  private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Who this process is in the gang.
   *
   * @param rank its global rank
   * @param worldSize ranks in the gang
   * @param attempt the gang attempt (MM1_ATTEMPT)
   * @param configHash sha256 of the rendered config it runs
   */
  public record Member(int rank, int worldSize, int attempt, String configHash) {
    public Member {
      if (worldSize < 2 || rank < 0 || rank >= worldSize) {
        throw new IllegalArgumentException("a gang needs rank in [0, worldSize) and worldSize >= 2, got rank " + rank
            + " of " + worldSize);
      }
    }
  }

  private record Hello(int rank, int worldSize, int attempt, String configHash, int ringPort, long pid, String host) {
    String name() {
      return "rank " + rank + " (pid " + pid + " on " + host + ")";
    }
  }

  private record Endpoint(String host, int port, String name) {}

  private Rendezvous() {}

  /**
   * Joins the gang of {@code me} at {@code masterAddr:masterPort}; returns once the ring works.
   *
   * @param log progress lines (waiting for rank 0, who joined)
   */
  public static RingCollective join(Member me, String masterAddr, int masterPort, CollectiveSettings settings,
      Consumer<String> log) throws IOException {
    long deadline = System.nanoTime() + settings.rendezvousTimeout().toNanos();
    var ringListener = ServerSocketChannel.open();
    ringListener.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
    ringListener.bind(new InetSocketAddress(0));
    try {
      var hello = new Hello(me.rank(), me.worldSize(), me.attempt(), me.configHash(),
          ((InetSocketAddress) ringListener.getLocalAddress()).getPort(), ProcessHandle.current().pid(), hostName());
      var links = new TreeMap<Integer, ControlLink>();
      long gangId;
      List<Endpoint> table;
      try {
        if (me.rank() == 0) {
          var joined = gather(hello, masterPort, deadline, settings, log, links);
          gangId = new SecureRandom().nextLong();
          table = endpoints(hello, joined, links);
          for (var link : links.values()) {
            long id = gangId;
            link.sendNow(ControlLink.WELCOME, out -> {
              out.writeLong(id);
              out.writeInt(table.size());
              for (var endpoint : table) {
                out.writeUTF(endpoint.host());
                out.writeInt(endpoint.port());
                out.writeUTF(endpoint.name());
              }
            });
          }
          log.accept("gang of " + me.worldSize() + " ranks formed on port " + masterPort);
        } else {
          var link = connect(hello, masterAddr, masterPort, deadline, log);
          links.put(0, link);
          var reply = link.receiveNow(remaining(deadline, "waiting for rank 0 to admit rank " + me.rank()));
          var in = reply.data();
          if (reply.type() == ControlLink.REJECT) {
            var message = in.readUTF();
            throw new RendezvousException(message, in.readBoolean());
          }
          if (reply.type() != ControlLink.WELCOME) {
            throw new RendezvousException("rank 0 at " + masterAddr + ":" + masterPort + " answered rank " + me.rank()
                + " with frame " + reply.type() + " instead of a welcome: is another program using that port?", true);
          }
          gangId = in.readLong();
          int count = in.readInt();
          var received = new ArrayList<Endpoint>();
          for (int r = 0; r < count; r++) {
            var host = in.readUTF();
            received.add(new Endpoint(r == 0 ? masterAddr : host, in.readInt(), in.readUTF()));
          }
          table = received;
        }
      } catch (SocketTimeoutException | EOFException e) {
        links.values().forEach(ControlLink::close);
        throw new RendezvousException("rank " + me.rank() + ": the rendezvous at " + masterAddr + ":" + masterPort
            + " broke off (" + (e instanceof EOFException ? "rank 0 closed the connection" : "no answer in time")
            + "); the gang restarts", true);
      }
      var names = new LinkedHashMap<Integer, String>();
      for (int r = 0; r < table.size(); r++) {
        names.put(r, table.get(r).name());
      }
      var monitor = new GangMonitor[1];
      Peers peers = new Peers() {
        @Override
        public void check() {
          if (monitor[0] != null) {
            monitor[0].check();
          }
        }

        @Override
        public PeerLostException lost(int peer, String how) {
          return monitor[0] != null ? monitor[0].lost(peer, how) : new PeerLostException(peer, names.get(peer) + " was lost: " + how);
        }
      };
      var ring = linkRing(me, gangId, table, ringListener, deadline, settings, peers);
      monitor[0] = new GangMonitor(me.rank(), links, names, settings);
      var collective = new RingCollective(ring, monitor[0], settings.bucketBytes());
      collective.barrier();
      return collective;
    } finally {
      ringListener.close();
    }
  }

  /** Rank 0: accepts every other rank's hello on MASTER_PORT and checks that they all agree with its own. */
  private static Map<Integer, Hello> gather(Hello mine, int masterPort, long deadline, CollectiveSettings settings,
      Consumer<String> log, Map<Integer, ControlLink> links) throws IOException {
    var joined = new TreeMap<Integer, Hello>();
    try (var master = ServerSocketChannel.open()) {
      master.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      try {
        master.bind(new InetSocketAddress(masterPort), 1024);
      } catch (IOException e) {
        throw new RendezvousException("rank 0 cannot listen on MASTER_PORT " + masterPort + ": " + e.getMessage()
            + " (another gang or program uses it?)", true);
      }
      while (joined.size() < mine.worldSize() - 1) {
        SocketChannel channel;
        long left = deadline - System.nanoTime();
        try {
          if (left <= 0) {
            throw new SocketTimeoutException();
          }
          master.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
          channel = master.socket().accept().getChannel();
        } catch (SocketTimeoutException e) {
          throw refuse(links, missing(mine, joined, settings), true);
        }
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        var link = new ControlLink(-1, channel);
        Hello hello;
        try {
          var frame = link.receiveNow(HELLO_TIMEOUT);
          if (frame.type() != ControlLink.HELLO) {
            throw new IOException("frame " + frame.type());
          }
          var in = frame.data();
          hello = new Hello(in.readInt(), in.readInt(), in.readInt(), in.readUTF(), in.readInt(), in.readLong(), in.readUTF());
        } catch (IOException e) {
          log.accept("ignoring a connection to MASTER_PORT from " + channel.socket().getRemoteSocketAddress()
              + " that is not an MM1 worker (" + e.getMessage() + ")");
          link.close();
          continue;
        }
        link = new ControlLink(hello.rank(), channel);
        var problem = disagreement(mine, hello, joined);
        if (problem != null) {
          links.put(Integer.MAX_VALUE, link); // told with everyone else
          throw refuse(links, problem.message(), problem.retryable());
        }
        joined.put(hello.rank(), hello);
        links.put(hello.rank(), link);
        log.accept(hello.name() + " joined (" + joined.size() + " of " + (mine.worldSize() - 1) + ")");
      }
    }
    return joined;
  }

  private record Problem(String message, boolean retryable) {}

  private static Problem disagreement(Hello mine, Hello theirs, Map<Integer, Hello> joined) {
    if (theirs.worldSize() != mine.worldSize()) {
      return new Problem(theirs.name() + " runs with world size " + theirs.worldSize() + ", rank 0 with "
          + mine.worldSize() + ": every worker must have the same NNODES x NPROC_PER_NODE", false);
    }
    if (theirs.rank() <= 0 || theirs.rank() >= mine.worldSize()) {
      return new Problem(theirs.name() + " has a rank outside 1.." + (mine.worldSize() - 1) + " (check RANK / NODE_RANK)",
          false);
    }
    if (joined.containsKey(theirs.rank())) {
      return new Problem("two workers claim rank " + theirs.rank() + ": " + joined.get(theirs.rank()).name() + " and "
          + theirs.name() + " (check NODE_RANK and LOCAL_RANK)", false);
    }
    if (!theirs.configHash().equals(mine.configHash())) {
      return new Problem(theirs.name() + " runs config sha256 " + theirs.configHash() + ", rank 0 runs "
          + mine.configHash() + ": every worker must run the same rendered config", false);
    }
    if (theirs.attempt() != mine.attempt()) {
      return new Problem(theirs.name() + " belongs to gang attempt " + theirs.attempt() + ", rank 0 to attempt "
          + mine.attempt() + " (a worker of another attempt is still running)", true);
    }
    return null;
  }

  private static String missing(Hello mine, Map<Integer, Hello> joined, CollectiveSettings settings) {
    var absent = new ArrayList<Integer>();
    for (int r = 1; r < mine.worldSize(); r++) {
      if (!joined.containsKey(r)) {
        absent.add(r);
      }
    }
    return "rank 0: only " + joined.size() + " of " + (mine.worldSize() - 1) + " workers joined within "
        + settings.rendezvousTimeout().toSeconds() + " s; ranks " + absent + " never connected to MASTER_PORT "
        + "(spec.dataParallel.rendezvousTimeoutSeconds)";
  }

  /** Tells every connected rank why the gang is refused, and returns the error for rank 0 itself. */
  private static RendezvousException refuse(Map<Integer, ControlLink> links, String message, boolean retryable) {
    for (var link : links.values()) {
      try {
        link.sendNow(ControlLink.REJECT, out -> {
          out.writeUTF(message);
          out.writeBoolean(retryable);
        });
      } catch (IOException ignored) {
        // it learns when its connection closes
      }
      link.close();
    }
    links.clear();
    return new RendezvousException(message, retryable);
  }

  private static List<Endpoint> endpoints(Hello mine, Map<Integer, Hello> joined, Map<Integer, ControlLink> links)
      throws IOException {
    var table = new ArrayList<Endpoint>();
    table.add(new Endpoint("", mine.ringPort(), mine.name()));
    for (var hello : joined.values()) {
      var address = (InetSocketAddress) links.get(hello.rank()).channel.getRemoteAddress();
      table.add(new Endpoint(address.getAddress().getHostAddress(), hello.ringPort(), hello.name()));
    }
    return table;
  }

  /** Any rank but 0: connects to MASTER_ADDR:MASTER_PORT until it answers or the deadline passes, then says hello. */
  private static ControlLink connect(Hello hello, String masterAddr, int masterPort, long deadline, Consumer<String> log)
      throws IOException {
    String lastError = "nothing tried";
    long nextNotice = System.nanoTime();
    while (System.nanoTime() < deadline) {
      var channel = SocketChannel.open();
      try {
        var address = new InetSocketAddress(masterAddr, masterPort); // resolved again each time: DNS may lag the pods
        if (address.isUnresolved()) {
          throw new UnresolvedAddressException();
        }
        channel.socket().connect(address, (int) Math.max(1, Math.min(5000, (deadline - System.nanoTime()) / 1_000_000)));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        var link = new ControlLink(0, channel);
        link.sendNow(ControlLink.HELLO, out -> {
          out.writeInt(hello.rank());
          out.writeInt(hello.worldSize());
          out.writeInt(hello.attempt());
          out.writeUTF(hello.configHash());
          out.writeInt(hello.ringPort());
          out.writeLong(hello.pid());
          out.writeUTF(hello.host());
        });
        return link;
      } catch (UnresolvedAddressException e) {
        lastError = "the host name " + masterAddr + " does not resolve";
      } catch (IOException e) {
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      channel.close();
      if (System.nanoTime() >= nextNotice) {
        log.accept("rank " + hello.rank() + " waiting for rank 0 at MASTER_ADDR=" + masterAddr + " MASTER_PORT=" + masterPort
            + " (" + lastError + ")");
        nextNotice = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      }
      sleep(Duration.ofMillis(250));
    }
    throw new RendezvousException("rank " + hello.rank() + " cannot reach rank 0 at MASTER_ADDR=" + masterAddr
        + " MASTER_PORT=" + masterPort + " within the rendezvous timeout (last error: " + lastError + ")", true);
  }

  /** Links to the next rank and accepts the previous one; each link starts with (rank, gang id) so strays are refused. */
  private static Ring linkRing(Member me, long gangId, List<Endpoint> table, ServerSocketChannel listener, long deadline,
      CollectiveSettings settings, Peers peers) throws IOException {
    int n = me.worldSize();
    int nextRank = (me.rank() + 1) % n;
    int previousRank = Math.floorMod(me.rank() - 1, n);
    var target = table.get(nextRank);
    var next = SocketChannel.open();
    next.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
    next.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
    try {
      next.socket().connect(new InetSocketAddress(target.host(), target.port()),
          (int) Math.max(1, remaining(deadline, "linking to " + target.name()).toMillis()));
    } catch (IOException | UnresolvedAddressException e) {
      next.close();
      throw new RendezvousException("rank " + me.rank() + " cannot open its ring link to " + target.name() + " at "
          + target.host() + ":" + target.port() + " (" + e.getMessage() + ")", true);
    }
    next.setOption(StandardSocketOptions.TCP_NODELAY, true);
    var greeting = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(me.rank()).putLong(gangId).flip();
    while (greeting.hasRemaining()) {
      next.write(greeting);
    }
    while (true) {
      SocketChannel previous;
      try {
        listener.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE,
            remaining(deadline, "waiting for the ring link of " + table.get(previousRank).name()).toMillis())));
        previous = listener.socket().accept().getChannel();
      } catch (SocketTimeoutException e) {
        next.close();
        throw new RendezvousException("rank " + me.rank() + ": " + table.get(previousRank).name()
            + " never opened its ring link", true);
      }
      var intro = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      try {
        previous.socket().setSoTimeout((int) HELLO_TIMEOUT.toMillis());
        var in = previous.socket().getInputStream();
        while (intro.hasRemaining()) {
          int b = in.read();
          if (b < 0) {
            throw new EOFException();
          }
          intro.put((byte) b);
        }
      } catch (IOException e) {
        previous.close();
        continue;
      }
      intro.flip();
      if (intro.getInt() != previousRank || intro.getLong() != gangId) {
        previous.close(); // not our neighbour: a stray or an older gang
        continue;
      }
      previous.setOption(StandardSocketOptions.TCP_NODELAY, true);
      previous.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
      return new Ring(me.rank(), n, next, previous, peers, settings.collectiveTimeout());
    }
  }

  private static Duration remaining(long deadline, String what) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new RendezvousException("the rendezvous timed out " + what, true);
    }
    return Duration.ofNanos(left);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RendezvousException("interrupted while waiting for rank 0", true);
    }
  }
}
