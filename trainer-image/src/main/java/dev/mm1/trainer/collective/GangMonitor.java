package dev.mm1.trainer.collective;

import dev.mm1.trainer.checkpoint.CheckpointManifest;
import dev.mm1.trainer.checkpoint.GangCheckpoint;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Watches the gang over the control connections (a star around rank 0) on its own thread: every
 * rank sends a heartbeat every {@link CollectiveSettings#heartbeatInterval()}, and a rank that
 * closes its connection without saying goodbye, reports a failure, or is silent for the peer
 * timeout is lost. Rank 0 tells every other rank, so all of them stop within the peer timeout
 * however the loss happened (a SIGKILL, SIGSTOP, a network partition, a crash), even while they
 * compute rather than communicate. The connections also carry the checkpoint-shard notices that
 * let rank 0 commit a checkpoint only when every rank's shard is on disk.
 */
final class GangMonitor implements Peers, GangCheckpoint, AutoCloseable {
  /** How long a rank that noticed a broken link waits for the monitor's better-informed message. */
  private static final Duration REASON_WAIT = Duration.ofSeconds(2);

  private final int rank;
  private final Map<Integer, ControlLink> links;
  private final Map<Integer, String> names;
  private final CollectiveSettings settings;
  private final Selector selector;
  private final Thread thread;
  private final Map<Integer, Long> lastHeard = new ConcurrentHashMap<>();
  private final Map<Integer, Boolean> departed = new ConcurrentHashMap<>();
  private final List<Consumer<PeerLostException>> listeners = new CopyOnWriteArrayList<>();
  private final Map<Long, Map<Integer, Map<String, CheckpointManifest.FileEntry>>> shards = new HashMap<>();
  private final Map<Long, String> shardFailures = new HashMap<>();
  private volatile PeerLostException lost;
  private volatile boolean closing;

  /**
   * @param links rank 0: a link to every other rank; any other rank: its link to rank 0
   * @param names how each rank is named in messages ("rank 1 (pid 4242 on node-b)")
   */
  GangMonitor(int rank, Map<Integer, ControlLink> links, Map<Integer, String> names, CollectiveSettings settings)
      throws IOException {
    this.rank = rank;
    this.links = links;
    this.names = names;
    this.settings = settings;
    selector = Selector.open();
    long now = System.nanoTime();
    for (var link : links.values()) {
      link.channel.configureBlocking(false);
      link.channel.register(selector, SelectionKey.OP_READ, link);
      lastHeard.put(link.peerRank, now);
    }
    thread = Thread.ofPlatform().daemon().name("mm1-gang-monitor").unstarted(this::run);
    thread.start();
  }

  /** Called once, on whichever thread notices first, with the loss that ends the gang. */
  void onLoss(Consumer<PeerLostException> listener) {
    listeners.add(listener);
    var seen = lost;
    if (seen != null) {
      listener.accept(seen);
    }
  }

  String name(int peer) {
    return names.getOrDefault(peer, "rank " + peer);
  }

  @Override
  public void check() {
    var seen = lost;
    if (seen != null) {
      throw seen;
    }
  }

  @Override
  public PeerLostException lost(int peer, String how) {
    synchronized (this) {
      // The monitor may already know more (rank 0 relays "rank k failed: ..."); give it a moment.
      long end = System.nanoTime() + REASON_WAIT.toNanos();
      while (lost == null && !closing) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (lost == null) {
        declare(peer, how);
      }
      return lost;
    }
  }

  /** Records the first loss, tells the other ranks (rank 0) and the listeners. */
  private void declare(int peer, String how) {
    PeerLostException loss;
    synchronized (this) {
      if (lost != null) {
        return;
      }
      loss = new PeerLostException(peer, name(peer) + " was lost: " + how);
      lost = loss;
      notifyAll();
    }
    if (rank == 0) {
      for (var link : links.values()) {
        if (link.peerRank != peer) {
          link.enqueue(ControlLink.LOST, out -> {
            out.writeInt(peer);
            out.writeUTF(loss.getMessage());
          });
        }
      }
      selector.wakeup();
    }
    for (var listener : listeners) {
      listener.accept(loss);
    }
  }

  private void adopt(PeerLostException loss) {
    synchronized (this) {
      if (lost != null) {
        return;
      }
      lost = loss;
      notifyAll();
    }
    for (var listener : listeners) {
      listener.accept(loss);
    }
  }

  private void run() {
    long interval = settings.heartbeatInterval().toNanos();
    long timeout = settings.peerTimeout().toNanos();
    long nextBeat = System.nanoTime();
    while (!closing) {
      try {
        long now = System.nanoTime();
        if (now >= nextBeat) {
          for (var link : links.values()) {
            if (!departed.containsKey(link.peerRank) && link.pending() < 4096) {
              link.enqueue(ControlLink.HEARTBEAT, null);
            }
          }
          nextBeat = now + interval;
        }
        for (var link : links.values()) {
          if (link.pending() > 0 && link.channel.isOpen()) {
            try {
              link.flush();
            } catch (IOException e) {
              linkEnded(link, "its control connection broke (" + e.getMessage() + ")");
            }
          }
          long silent = now - lastHeard.getOrDefault(link.peerRank, now);
          if (lost == null && !departed.containsKey(link.peerRank) && silent > timeout) {
            declare(link.peerRank, "it sent nothing for " + Duration.ofNanos(silent).toSeconds()
                + " s (hung, stopped, or its node is unreachable; spec.dataParallel.peerTimeoutSeconds is "
                + settings.peerTimeout().toSeconds() + ")");
          }
        }
        selector.select(Math.max(1, interval / 2_000_000));
        for (var key : selector.selectedKeys()) {
          var link = (ControlLink) key.attachment();
          try {
            for (var frame : link.poll()) {
              lastHeard.put(link.peerRank, System.nanoTime());
              handle(link, frame);
            }
          } catch (EOFException e) {
            key.cancel();
            linkEnded(link, "it closed its connection (the process exited or was killed)");
          } catch (IOException e) {
            key.cancel();
            linkEnded(link, "its control connection broke (" + e.getMessage() + ")");
          }
        }
        selector.selectedKeys().clear();
      } catch (IOException | RuntimeException e) {
        if (!closing) {
          // Without its monitor this rank can no longer tell a loss: it ends the gang itself.
          declare(rank, "its gang monitor failed: " + e);
        }
        return;
      }
    }
  }

  private void linkEnded(ControlLink link, String how) {
    link.close();
    if (!closing && !departed.containsKey(link.peerRank)) {
      declare(link.peerRank, how);
    }
  }

  private void handle(ControlLink link, ControlLink.Frame frame) throws IOException {
    var in = frame.data();
    switch (frame.type()) {
      case ControlLink.HEARTBEAT -> {
        // lastHeard is all a heartbeat is for
      }
      case ControlLink.GOODBYE -> departed.put(link.peerRank, true);
      case ControlLink.FAILED -> {
        departed.put(link.peerRank, true);
        declare(link.peerRank, "it stopped with an error: " + in.readUTF());
      }
      case ControlLink.LOST -> {
        int peer = in.readInt();
        adopt(new PeerLostException(peer, in.readUTF()));
      }
      case ControlLink.SHARD_WRITTEN -> {
        long step = in.readLong();
        int count = in.readInt();
        var files = new LinkedHashMap<String, CheckpointManifest.FileEntry>();
        for (int i = 0; i < count; i++) {
          files.put(in.readUTF(), new CheckpointManifest.FileEntry(in.readUTF(), in.readLong()));
        }
        synchronized (this) {
          shards.computeIfAbsent(step, s -> new HashMap<>()).put(link.peerRank, files);
          notifyAll();
        }
      }
      case ControlLink.SHARD_FAILED -> {
        long step = in.readLong();
        var message = in.readUTF();
        synchronized (this) {
          shardFailures.put(step, name(link.peerRank) + " could not write its part: " + message);
          notifyAll();
        }
      }
      default -> throw new IOException(name(link.peerRank) + " sent an unknown control frame " + frame.type());
    }
  }

  @Override
  public Map<String, CheckpointManifest.FileEntry> awaitPeers(long step, BooleanSupplier abandoned) throws IOException {
    int expected = links.size();
    synchronized (this) {
      while (true) {
        var failure = shardFailures.remove(step);
        if (failure != null) {
          throw new IOException(failure);
        }
        var written = shards.getOrDefault(step, Map.of());
        if (written.size() == expected) {
          shards.remove(step);
          var all = new LinkedHashMap<String, CheckpointManifest.FileEntry>();
          for (int peer = 1; peer <= expected; peer++) {
            all.putAll(written.get(peer));
          }
          return all;
        }
        if (lost != null) {
          throw new IOException("the checkpoint of step " + step + " cannot be completed: " + lost.getMessage());
        }
        if (closing || abandoned.getAsBoolean()) {
          throw new IOException("the checkpoint of step " + step + " was abandoned");
        }
        try {
          wait(200); // wakes on every notice; the timeout only re-checks `abandoned`
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the other ranks' checkpoint parts", e);
        }
      }
    }
  }

  @Override
  public void written(long step, Map<String, CheckpointManifest.FileEntry> files) {
    links.get(0).enqueue(ControlLink.SHARD_WRITTEN, out -> {
      out.writeLong(step);
      out.writeInt(files.size());
      for (var file : files.entrySet()) {
        out.writeUTF(file.getKey());
        out.writeUTF(file.getValue().sha256());
        out.writeLong(file.getValue().bytes());
      }
    });
    selector.wakeup();
  }

  @Override
  public void failed(long step, String message) {
    links.get(0).enqueue(ControlLink.SHARD_FAILED, out -> {
      out.writeLong(step);
      out.writeUTF(message);
    });
    selector.wakeup();
  }

  /**
   * Leaves the gang: with {@code failure} null a clean goodbye (after the last barrier), otherwise
   * the reason this rank stops, which every other rank reports as the cause of its own stop.
   */
  void leave(String failure) {
    for (var link : links.values()) {
      if (failure == null) {
        link.enqueue(ControlLink.GOODBYE, null);
      } else {
        link.enqueue(ControlLink.FAILED, out -> out.writeUTF(failure));
      }
    }
    selector.wakeup();
    for (var link : links.values()) {
      link.awaitFlushed(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    closing = true;
    synchronized (this) {
      notifyAll();
    }
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    links.values().forEach(ControlLink::close);
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing on the way out
    }
  }
}
