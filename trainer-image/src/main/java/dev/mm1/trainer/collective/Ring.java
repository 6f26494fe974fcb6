package dev.mm1.trainer.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One rank's place in a ring of ranks: a TCP link to the next rank and one from the previous rank,
 * both non-blocking under one selector, so that every step sends and receives at once and adds
 * what it receives while the rest is still on the wire. Buffers are raw little-endian elements
 * (float32 or float64); nothing is boxed per element.
 *
 * <p>Every operation starts with a small header (sequence number, operation, bytes) that the next
 * rank checks, so ranks that call different operations fail with a message instead of mixing data.
 * No wait is unbounded: a link that moves no byte for the collective timeout fails the operation,
 * naming the rank it waited for, and a loss the gang monitor saw ends it at once.
 *
 * <p>Chunk {@code k} of a reduce-scatter ends up summed on rank {@code k}, which is what ZeRO-1
 * needs (rank {@code k} owns the {@code k}-th part of the parameters).
 */
final class Ring implements AutoCloseable {
  /** Bytes received before they are added into the destination: large enough to amortise a system call. */
  static final int SLICE = 256 << 10;
  private static final int HEADER = 24;
  private static final int OP_REDUCE_SCATTER = 1;
  private static final int OP_ALL_GATHER = 2;
  private static final int OP_BROADCAST = 3;

  /** What happens to received bytes. */
  enum Reduction {
    COPY(1), SUM_FLOAT32(4), SUM_FLOAT64(8);

    final int elementBytes;

    Reduction(int elementBytes) {
      this.elementBytes = elementBytes;
    }
  }

  private final int rank;
  private final int size;
  private final SocketChannel next;
  private final SocketChannel previous;
  private final Selector selector;
  private final SelectionKey nextKey;
  private final SelectionKey previousKey;
  private final Selector sendSelector;
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
      .name("mm1-ring-sender").unstarted(r));
  private volatile boolean abandonSend;
  private final Peers peers;
  private final long stallNanos;
  private final ByteBuffer scratch = ByteBuffer.allocateDirect(SLICE).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer headerOut = ByteBuffer.allocateDirect(HEADER).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer headerIn = ByteBuffer.allocateDirect(HEADER).order(ByteOrder.LITTLE_ENDIAN);
  private final float[] receivedFloats = new float[SLICE / 4];
  private final float[] ownFloats = new float[SLICE / 4];
  private final double[] receivedDoubles = new double[SLICE / 8];
  private final double[] ownDoubles = new double[SLICE / 8];
  private long sequence;

  /**
   * @param next connected to rank {@code rank + 1} (mod size)
   * @param previous connected from rank {@code rank - 1} (mod size)
   * @param stall how long an operation may move no byte before it fails
   */
  Ring(int rank, int size, SocketChannel next, SocketChannel previous, Peers peers, Duration stall) throws IOException {
    this.rank = rank;
    this.size = size;
    this.next = next;
    this.previous = previous;
    this.peers = peers;
    this.stallNanos = stall.toNanos();
    next.configureBlocking(false);
    previous.configureBlocking(false);
    selector = Selector.open();
    nextKey = next.register(selector, 0);
    previousKey = previous.register(selector, 0);
    sendSelector = Selector.open();
    next.register(sendSelector, SelectionKey.OP_WRITE);
  }

  int rank() {
    return rank;
  }

  int size() {
    return size;
  }

  int nextRank() {
    return Math.floorMod(rank + 1, size);
  }

  int previousRank() {
    return Math.floorMod(rank - 1, size);
  }

  /** Ends a wait at once (the gang monitor saw a loss). */
  void wakeup() {
    selector.wakeup();
    sendSelector.wakeup();
  }

  /**
   * Reduce-scatter: afterwards {@code chunks[rank]} holds the element-wise reduction of every
   * rank's {@code chunks[rank]}; the other chunks hold partial results. Chunks may differ in size
   * (and be empty) but must have the same sizes on every rank.
   */
  void reduceScatter(ByteBuffer[] chunks, Reduction reduction) throws IOException {
    checkChunks(chunks, reduction);
    header(OP_REDUCE_SCATTER, total(chunks));
    // Step s passes chunk (rank - s - 1) on and adds into chunk (rank - s - 2): after size - 1 steps
    // the chunk that arrives last, and is then complete, is chunk `rank`.
    for (int s = 0; s < size - 1; s++) {
      exchange(chunks[Math.floorMod(rank - s - 1, size)].duplicate(), chunks[Math.floorMod(rank - s - 2, size)].duplicate(),
          reduction);
    }
  }

  /** All-gather: {@code chunks[rank]} is this rank's part; afterwards every chunk holds its owner's part. */
  void allGather(ByteBuffer[] chunks) throws IOException {
    checkChunks(chunks, Reduction.COPY);
    header(OP_ALL_GATHER, total(chunks));
    for (int s = 0; s < size - 1; s++) {
      exchange(chunks[Math.floorMod(rank - s, size)].duplicate(), chunks[Math.floorMod(rank - s - 1, size)].duplicate(),
          Reduction.COPY);
    }
  }

  /** All-reduce of {@code data} (position to limit): a reduce-scatter then an all-gather over equal chunks. */
  void allReduce(ByteBuffer data, Reduction reduction) throws IOException {
    var chunks = split(data, size, reduction.elementBytes);
    reduceScatter(chunks, reduction);
    allGather(chunks);
  }

  /**
   * Broadcast of {@code data} (position to limit) from {@code root}: it flows around the ring, and
   * each rank forwards bytes as soon as they arrive, so the whole buffer is pipelined.
   */
  void broadcast(ByteBuffer data, int root) throws IOException {
    header(OP_BROADCAST, data.remaining());
    int distance = Math.floorMod(rank - root, size);
    var empty = ByteBuffer.allocate(0);
    if (distance == 0) {
      exchange(data.duplicate(), empty, Reduction.COPY);
    } else if (distance == size - 1) {
      exchange(empty, data.duplicate(), Reduction.COPY);
    } else {
      relay(data.duplicate());
    }
  }

  /** Splits {@code data} into {@code parts} slices of whole elements, as equal as they can be. */
  static ByteBuffer[] split(ByteBuffer data, int parts, int elementBytes) {
    if (data.remaining() % elementBytes != 0) {
      throw new IllegalArgumentException(data.remaining() + " bytes are not whole elements of " + elementBytes + " bytes");
    }
    long elements = data.remaining() / elementBytes;
    var chunks = new ByteBuffer[parts];
    for (int k = 0; k < parts; k++) {
      int from = (int) (elements * k / parts) * elementBytes;
      int to = (int) (elements * (k + 1) / parts) * elementBytes;
      chunks[k] = data.slice(data.position() + from, to - from).order(ByteOrder.LITTLE_ENDIAN);
    }
    return chunks;
  }

  private void checkChunks(ByteBuffer[] chunks, Reduction reduction) {
    if (chunks.length != size) {
      throw new IllegalArgumentException(chunks.length + " chunks for a ring of " + size + " ranks");
    }
    for (var chunk : chunks) {
      if (chunk.remaining() % reduction.elementBytes != 0) {
        throw new IllegalArgumentException("a chunk of " + chunk.remaining() + " bytes is not whole elements of "
            + reduction.elementBytes + " bytes");
      }
    }
  }

  private static long total(ByteBuffer[] chunks) {
    long total = 0;
    for (var chunk : chunks) {
      total += chunk.remaining();
    }
    return total;
  }

  /** Sends this operation's header and checks the previous rank's: the same operation, sequence and size. */
  private void header(int operation, long bytes) throws IOException {
    sequence++;
    headerOut.clear();
    headerOut.putLong(sequence).putInt(operation).putInt(size).putLong(bytes).flip();
    headerIn.clear();
    exchange(headerOut, headerIn, Reduction.COPY);
    headerIn.flip();
    long theirSequence = headerIn.getLong();
    int theirOperation = headerIn.getInt();
    int theirSize = headerIn.getInt();
    long theirBytes = headerIn.getLong();
    if (theirSequence != sequence || theirOperation != operation || theirSize != size || theirBytes != bytes) {
      throw new IllegalStateException("collective operations out of step: rank " + previousRank() + " started "
          + describe(theirOperation, theirSequence, theirBytes) + " while rank " + rank + " started "
          + describe(operation, sequence, bytes) + " (ranks must run the same model and code)");
    }
  }

  private static String describe(int operation, long sequence, long bytes) {
    var name = switch (operation) {
      case OP_REDUCE_SCATTER -> "reduce-scatter";
      case OP_ALL_GATHER -> "all-gather";
      case OP_BROADCAST -> "broadcast";
      default -> "operation " + operation;
    };
    return name + " #" + sequence + " of " + bytes + " bytes";
  }

  /**
   * Sends {@code send} (position to limit) to the next rank while receiving {@code receive.remaining()}
   * bytes from the previous rank: copied into {@code receive}, or added into it element-wise. Never
   * reads more than this step's bytes, so the next operation's data stays in the socket. What the
   * socket does not take at once is sent by the sender thread, so that sending and receiving (each
   * a copy through the kernel) run on two cores, as two plain sockets' threads would.
   */
  private void exchange(ByteBuffer send, ByteBuffer receive, Reduction reduction) throws IOException {
    scratch.clear();
    Future<?> sending = null;
    if (send.hasRemaining()) {
      write(send);
      if (send.hasRemaining()) {
        abandonSend = false;
        sending = sender.submit(() -> {
          drain(send);
          return null;
        });
      }
    }
    try {
      long lastProgress = System.nanoTime();
      while (receive.hasRemaining()) {
        int n = reduction == Reduction.COPY ? read(receive) : readAndReduce(receive, reduction);
        if (n > 0) {
          lastProgress = System.nanoTime();
        } else {
          await(false, true, lastProgress);
        }
      }
      if (sending != null) {
        awaitSent(sending);
      }
    } catch (RuntimeException | IOException e) {
      if (sending != null) {
        abandonSend = true;
        sendSelector.wakeup();
        try {
          sending.get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // the failure being thrown is the one that matters
        }
      }
      throw e;
    }
  }

  /** The sender thread: writes {@code buffer} out, waiting for room, until it is sent, stalls or is abandoned. */
  private void drain(ByteBuffer buffer) throws IOException {
    long lastProgress = System.nanoTime();
    while (buffer.hasRemaining()) {
      if (write(buffer) > 0) {
        lastProgress = System.nanoTime();
        continue;
      }
      if (abandonSend) {
        return;
      }
      peers.check();
      long waited = System.nanoTime() - lastProgress;
      if (waited > stallNanos) {
        throw stalled(nextRank(), false, waited);
      }
      sendSelector.select(Math.min(1000, Math.max(1, (stallNanos - waited) / 1_000_000 + 1)));
      sendSelector.selectedKeys().clear();
    }
  }

  private void awaitSent(Future<?> sending) throws IOException {
    while (true) {
      try {
        sending.get(1, TimeUnit.SECONDS);
        return;
      } catch (TimeoutException e) {
        peers.check(); // the sender sees its own stall; a loss elsewhere ends the wait here
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted during a collective operation", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      }
    }
  }

  /** Receives into {@code data} and sends on what has arrived, for the ranks between a broadcast's root and its last rank. */
  private void relay(ByteBuffer data) throws IOException {
    var received = data.duplicate();
    var forward = data.duplicate();
    forward.limit(forward.position());
    long lastProgress = System.nanoTime();
    while (received.hasRemaining() || forward.position() < data.limit()) {
      boolean progressed = false;
      if (received.hasRemaining()) {
        progressed |= read(received) > 0;
        forward.limit(received.position());
      }
      if (forward.hasRemaining()) {
        progressed |= write(forward) > 0;
      }
      if (progressed) {
        lastProgress = System.nanoTime();
        continue;
      }
      await(forward.hasRemaining(), received.hasRemaining(), lastProgress);
    }
  }

  private void await(boolean sending, boolean receiving, long lastProgress) throws IOException {
    peers.check();
    long waited = System.nanoTime() - lastProgress;
    if (waited > stallNanos) {
      throw stalled(receiving ? previousRank() : nextRank(), receiving, waited);
    }
    nextKey.interestOps(sending ? SelectionKey.OP_WRITE : 0);
    previousKey.interestOps(receiving ? SelectionKey.OP_READ : 0);
    long budgetMillis = Math.max(1, (stallNanos - waited) / 1_000_000 + 1);
    selector.select(Math.min(1000, budgetMillis));
    selector.selectedKeys().clear();
  }

  private PeerLostException stalled(int culprit, boolean receiving, long waited) {
    return peers.lost(culprit, "rank " + rank + " waited " + Duration.ofNanos(waited).toSeconds() + " s for rank " + culprit
        + (receiving ? " to send" : " to receive") + " data of a collective operation (it is alive but stuck, or much slower; "
        + "spec.dataParallel.collectiveTimeoutSeconds)");
  }

  private int write(ByteBuffer buffer) {
    try {
      return next.write(buffer);
    } catch (IOException e) {
      throw peers.lost(nextRank(), "rank " + rank + "'s link to rank " + nextRank() + " broke (" + e.getMessage() + ")");
    }
  }

  private int read(ByteBuffer buffer) {
    int n;
    try {
      n = previous.read(buffer);
    } catch (IOException e) {
      throw peers.lost(previousRank(), "rank " + rank + "'s link from rank " + previousRank() + " broke (" + e.getMessage() + ")");
    }
    if (n < 0) {
      throw peers.lost(previousRank(), "rank " + previousRank() + " closed its link to rank " + rank
          + " (the process exited or was killed)");
    }
    return n;
  }

  /** Reads at most what is left of this step into the scratch slice, then adds its whole elements into {@code destination}. */
  private int readAndReduce(ByteBuffer destination, Reduction reduction) {
    int want = Math.min(scratch.capacity() - scratch.position(), destination.remaining() - scratch.position());
    scratch.limit(scratch.position() + want);
    int n = read(scratch);
    int filled = scratch.position();
    int complete = filled - filled % reduction.elementBytes;
    if (complete > 0) {
      var into = destination.slice(destination.position(), complete).order(ByteOrder.LITTLE_ENDIAN);
      if (reduction == Reduction.SUM_FLOAT32) {
        addFloats(scratch, into, complete / 4);
      } else {
        addDoubles(scratch, into, complete / 8);
      }
      destination.position(destination.position() + complete);
      scratch.limit(filled).position(complete);
      scratch.compact();
    }
    return n;
  }

  private void addFloats(ByteBuffer received, ByteBuffer into, int count) {
    // Bulk copies to arrays and a plain loop: the JIT vectorises it, which element access on buffers defeats.
    received.slice(0, count * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(0, receivedFloats, 0, count);
    var target = into.asFloatBuffer();
    target.get(0, ownFloats, 0, count);
    for (int i = 0; i < count; i++) {
      ownFloats[i] += receivedFloats[i];
    }
    target.put(0, ownFloats, 0, count);
  }

  private void addDoubles(ByteBuffer received, ByteBuffer into, int count) {
    received.slice(0, count * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(0, receivedDoubles, 0, count);
    var target = into.asDoubleBuffer();
    target.get(0, ownDoubles, 0, count);
    for (int i = 0; i < count; i++) {
      ownDoubles[i] += receivedDoubles[i];
    }
    target.put(0, ownDoubles, 0, count);
  }

  @Override
  public void close() {
    abandonSend = true;
    sender.shutdownNow();
    for (var closeable : new AutoCloseable[] {selector, sendSelector, next, previous}) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // closing on the way out; the peers see the links close
      }
    }
  }
}
