package dev.mm1.trainer.collective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mm1.trainer.checkpoint.GangCheckpoint;
import dev.mm1.trainer.loop.Collective;
import dev.mm1.trainer.loop.Partition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The collective of several processes on CPU: a {@link Ring} over TCP for the data, and a
 * {@link GangMonitor} that finds lost peers. Arrays are copied into one flat host buffer (reused from
 * call to call), reduced there in buckets of the configured size (each bucket a reduce-scatter then
 * an all-gather, so every rank sends and receives about twice the bucket whatever the ring's size),
 * and copied back. Both copies are plain memory copies between the staging buffer and the tensors'
 * own memory (seen through DJL's direct view of a contiguous CPU tensor); no tensor is ever made to
 * point at JVM memory. CPU tensors only: a GPU collective is a different implementation.
 */
public final class RingCollective implements Collective {
  private static final NDIndex ALL = new NDIndex(":");

  private final Ring ring;
  private final GangMonitor monitor;
  private final int bucketBytes;
  private ByteBuffer host = ByteBuffer.allocateDirect(0);

  RingCollective(Ring ring, GangMonitor monitor, int bucketBytes) {
    this.ring = ring;
    this.monitor = monitor;
    this.bucketBytes = bucketBytes - bucketBytes % 4;
    monitor.onLoss(loss -> ring.wakeup());
  }

  /** {@code listener} hears of the first lost peer, on the thread that noticed it (the monitor's, often). */
  public void onPeerLost(Consumer<PeerLostException> listener) {
    monitor.onLoss(listener);
  }

  /** "rank 1 (pid 4242 on node-b)". */
  public String name(int rank) {
    return monitor.name(rank);
  }

  @Override
  public int rank() {
    return ring.rank();
  }

  @Override
  public int worldSize() {
    return ring.size();
  }

  @Override
  public double[] allReduceSum(double[] values) {
    var buffer = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asDoubleBuffer().put(values);
    run(() -> ring.allReduce(buffer, Ring.Reduction.SUM_FLOAT64));
    var out = new double[values.length];
    buffer.asDoubleBuffer().get(out);
    return out;
  }

  @Override
  public void allReduceSum(List<NDArray> arrays) {
    var flat = copyIn(arrays);
    allReduceSum(flat);
    copyOut(arrays, flat);
  }

  /**
   * Sums little-endian float32 values in host memory ({@code floats}, position to limit) over all
   * ranks, in place, bucket by bucket; every rank ends with the same bits.
   */
  public void allReduceSum(ByteBuffer floats) {
    if (floats.remaining() % 4 != 0) {
      throw new IllegalArgumentException(floats.remaining() + " bytes are not whole float32 values");
    }
    for (int at = 0; at < floats.remaining(); at += bucketBytes) {
      var bucket = floats.slice(floats.position() + at, Math.min(bucketBytes, floats.remaining() - at))
          .order(ByteOrder.LITTLE_ENDIAN);
      run(() -> ring.allReduce(bucket, Ring.Reduction.SUM_FLOAT32));
    }
  }

  @Override
  public List<String> allGather(String text) {
    var mine = text.getBytes(StandardCharsets.UTF_8);
    int n = worldSize();
    var lengths = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    lengths.putInt(4 * rank(), mine.length);
    run(() -> ring.allGather(Ring.split(lengths, n, 4)));
    var sizes = new int[n];
    int total = 0;
    for (int r = 0; r < n; r++) {
      sizes[r] = lengths.getInt(4 * r);
      total = Math.addExact(total, sizes[r]);
    }
    var data = ByteBuffer.allocateDirect(total);
    var chunks = new ByteBuffer[n];
    int offset = 0;
    for (int r = 0; r < n; r++) {
      chunks[r] = data.slice(offset, sizes[r]);
      offset += sizes[r];
    }
    chunks[rank()].put(0, mine);
    run(() -> ring.allGather(chunks));
    var out = new ArrayList<String>(n);
    for (var chunk : chunks) {
      var bytes = new byte[chunk.remaining()];
      chunk.get(0, bytes);
      out.add(new String(bytes, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public void broadcast(List<NDArray> arrays) {
    var flat = rank() == 0 ? copyIn(arrays) : staging(elements(arrays));
    for (int at = 0; at < flat.limit(); at += bucketBytes) {
      var bucket = flat.slice(at, Math.min(bucketBytes, flat.limit() - at));
      run(() -> ring.broadcast(bucket, 0));
    }
    if (rank() != 0) {
      copyOut(arrays, flat);
    }
  }

  @Override
  public void barrier() {
    double arrived = allReduceSum(new double[] {1})[0];
    if (arrived != worldSize()) {
      throw new IllegalStateException("barrier: " + arrived + " of " + worldSize() + " ranks arrived");
    }
  }

  @Override
  public NDArray reduceScatterSum(List<NDArray> arrays, Partition partition, NDManager manager) {
    checkPartition(arrays, partition);
    var flat = copyIn(arrays);
    forEachBucket(flat, partition, chunks -> ring.reduceScatter(chunks, Ring.Reduction.SUM_FLOAT32));
    var own = flat.slice((int) partition.start(rank()) * 4, partition.length(rank()) * 4).order(ByteOrder.LITTLE_ENDIAN);
    try (var wrapped = manager.create(own, new Shape(partition.length(rank())), DataType.FLOAT32)) {
      return wrapped.duplicate(); // libtorch's own memory, not the staging buffer's
    }
  }

  @Override
  public void allGather(NDArray part, Partition partition, List<NDArray> arrays) {
    checkPartition(arrays, partition);
    if (part.getShape().size() != partition.length(rank())) {
      throw new IllegalArgumentException("rank " + rank() + "'s part has " + part.getShape().size()
          + " elements; its share of the partition is " + partition.length(rank()));
    }
    var flat = staging(partition.total());
    var memory = memoryOf(part);
    flat.put((int) partition.start(rank()) * 4, memory != null ? memory : part.toByteBuffer(), 0,
        partition.length(rank()) * 4);
    forEachBucket(flat, partition, ring::allGather);
    copyOut(arrays, flat);
  }

  @Override
  public GangCheckpoint checkpointParts() {
    return monitor;
  }

  @Override
  public void abort(String reason) {
    monitor.leave(reason);
    ring.close();
    monitor.close();
  }

  @Override
  public void close() {
    monitor.leave(null);
    ring.close();
    monitor.close();
  }

  /** One ring operation; the channels' I/O errors are already turned into peer losses by the ring. */
  private interface RingCall {
    void run() throws IOException;
  }

  private static void run(RingCall call) {
    try {
      call.run();
    } catch (IOException e) {
      throw new UncheckedIOException("collective operation failed: " + e.getMessage(), e);
    }
  }

  /** Buckets of a partitioned flat buffer: bucket j is the j-th slice of every rank's part, so each is balanced. */
  private interface BucketCall {
    void run(ByteBuffer[] chunks) throws IOException;
  }

  private void forEachBucket(ByteBuffer flat, Partition partition, BucketCall call) {
    int n = partition.parts();
    long perRank = Math.max(1, bucketBytes / 4 / n);
    long longest = 0;
    for (int r = 0; r < n; r++) {
      longest = Math.max(longest, partition.length(r));
    }
    for (long from = 0; from < longest; from += perRank) {
      var chunks = new ByteBuffer[n];
      for (int r = 0; r < n; r++) {
        long length = Math.max(0, Math.min(perRank, partition.length(r) - from));
        long start = length == 0 ? partition.start(r) : partition.start(r) + from;
        chunks[r] = flat.slice((int) start * 4, (int) length * 4).order(ByteOrder.LITTLE_ENDIAN);
      }
      run(() -> call.run(chunks));
    }
  }

  private void checkPartition(List<NDArray> arrays, Partition partition) {
    if (partition.parts() != worldSize() || partition.total() != elements(arrays)) {
      throw new IllegalArgumentException(partition + " does not split " + elements(arrays) + " elements among "
          + worldSize() + " ranks");
    }
  }

  private static long elements(List<NDArray> arrays) {
    long total = 0;
    for (var array : arrays) {
      total += array.getShape().size();
    }
    return total;
  }

  /** The staging buffer with room for {@code elements} floats (grown when needed, then reused). */
  private ByteBuffer staging(long elements) {
    if (elements * 4 > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("the CPU ring collective stages at most 2 GiB at once; this call has "
          + elements * 4 + " bytes (use fewer trainable parameters or a GPU collective)");
    }
    int bytes = (int) elements * 4;
    if (host.capacity() < bytes) {
      host = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    return host.clear().limit(bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private ByteBuffer copyIn(List<NDArray> arrays) {
    var flat = staging(elements(arrays));
    int offset = 0;
    for (var array : arrays) {
      if (array.getDataType() != DataType.FLOAT32 || array.getShape().dimension() == 0) {
        throw new IllegalArgumentException("the ring collective reduces float32 arrays of at least one dimension, got "
            + array.getDataType() + " " + array.getShape());
      }
      var memory = memoryOf(array);
      var bytes = memory != null ? memory : array.toByteBuffer(); // else a copy made by libtorch
      int length = (int) array.getShape().size() * 4;
      flat.put(offset, bytes, bytes.position(), length);
      offset += length;
    }
    return flat;
  }

  private static void copyOut(List<NDArray> arrays, ByteBuffer flat) {
    int offset = 0;
    for (var array : arrays) {
      int length = (int) array.getShape().size() * 4;
      var memory = memoryOf(array);
      if (memory != null) {
        memory.put(0, flat, offset, length);
      } else {
        var slice = flat.slice(offset, length).order(ByteOrder.LITTLE_ENDIAN);
        // The wrapper reads the staging buffer in place; index_put copies into the array's own memory.
        try (var wrapped = array.getManager().create(slice, array.getShape(), DataType.FLOAT32)) {
          array.set(ALL, wrapped);
        }
      }
      offset += length;
    }
  }

  /**
   * The array's own memory as a direct buffer, or null. DJL's direct view of a contiguous CPU tensor
   * is its storage; of any other tensor it is a fresh contiguous copy (writes would be lost), which
   * two views at different addresses give away.
   */
  private static ByteBuffer memoryOf(NDArray array) {
    var view = array.toByteBuffer(true);
    if (!view.isDirect() || array.getDevice().isGpu()) {
      return null;
    }
    var again = array.toByteBuffer(true);
    return MemorySegment.ofBuffer(view).address() == MemorySegment.ofBuffer(again).address()
        ? view.order(ByteOrder.LITTLE_ENDIAN) : null;
  }
}
