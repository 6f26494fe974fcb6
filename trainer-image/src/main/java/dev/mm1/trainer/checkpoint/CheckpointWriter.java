package dev.mm1.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import dev.mm1.model.io.SafetensorsWriter;
import dev.mm1.model.io.TensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Writes checkpoints in the background while training goes on. A job first <em>stages</em> the
 * tensors (copies them to host memory) and then writes, fsyncs and commits the files; the trainer
 * only has to wait for the staging ({@link #awaitStaged()}) before it changes any weight again,
 * which it does at its next optimizer update, so the copy overlaps the next step's forward and
 * backward passes. One job at a time. A failed write (a full disk) deletes its temporary directory,
 * leaves every committed checkpoint as it was, and is reported by {@link #failure()}. With
 * data-parallel ranks writing one checkpoint together ({@link Part}), each rank's writer writes its
 * files into one shared hidden directory and rank 0's commits it once every rank reported.
 */
public final class CheckpointWriter implements AutoCloseable {
  /** A named tensor to save. */
  public record NamedArray(String name, NDArray array) {}

  /** One safetensors file of a checkpoint. */
  public record TensorFile(String name, Map<String, String> metadata, List<NamedArray> tensors) {}

  /**
   * Everything a checkpoint holds, or this rank's part of it.
   *
   * @param step the optimizer step just taken
   * @param files safetensors files (model, optimizer), tensors still in the engine
   * @param json small JSON files by name (trainer-state.json)
   * @param part where and how this rank's part of a checkpoint several ranks write goes, or null
   *     when this writer writes and commits the whole checkpoint
   */
  public record Snapshot(long step, List<TensorFile> files, Map<String, byte[]> json, Part part) {
    public Snapshot(long step, List<TensorFile> files, Map<String, byte[]> json) {
      this(step, files, json, null);
    }
  }

  /**
   * This rank's part of a checkpoint several ranks write.
   *
   * @param directory the hidden directory every rank writes into (rank 0 made it)
   * @param gang how the ranks tell rank 0 their files are written
   * @param commits true on rank 0, which waits for the others and commits
   */
  public record Part(Path directory, GangCheckpoint gang, boolean commits) {}

  private record StagedTensor(String name, long[] shape, ByteBuffer bytes) {}

  private final CheckpointDirectory directory;
  private final int keepLast;
  private final Consumer<Checkpoint> onCommit;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
      .name("mm1-checkpoint-writer").unstarted(r));
  private final ExecutorService hasher = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
      .name("mm1-checkpoint-hasher").unstarted(r));
  private Future<Checkpoint> job;
  private CountDownLatch staged = new CountDownLatch(0);
  private volatile boolean aborted;
  private volatile Throwable failure;

  /**
   * @param keepLast committed checkpoints kept; older ones are deleted after a commit
   * @param onCommit called on the writer thread with each committed checkpoint
   */
  public CheckpointWriter(CheckpointDirectory directory, int keepLast, Consumer<Checkpoint> onCommit) {
    this.directory = directory;
    this.keepLast = keepLast;
    this.onCommit = onCommit;
  }

  /** Starts writing {@code snapshot}; waits first for a previous job to finish. */
  public synchronized void submit(Snapshot snapshot) throws IOException {
    awaitIdle();
    var latch = new CountDownLatch(1);
    staged = latch;
    job = thread.submit(() -> write(snapshot, latch));
  }

  /** Blocks until the running job (if any) no longer reads the engine's arrays; returns the seconds waited. */
  public double awaitStaged() {
    long start = System.nanoTime();
    try {
      staged.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Blocks until the running job (if any) has committed; throws its failure. */
  public synchronized void awaitIdle() throws IOException {
    if (job == null) {
      return;
    }
    try {
      job.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while a checkpoint was written", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
    } finally {
      job = null;
    }
  }

  /** The failure of a background write, if one failed since the last {@link #awaitIdle()}. */
  public Throwable failure() {
    return failure;
  }

  /** Stops the running job without committing it (SIGTERM): its temporary directory is deleted. */
  public void abort() {
    aborted = true;
    try {
      awaitIdle();
    } catch (IOException ignored) {
      // an aborted write leaves nothing behind; its failure is the abort itself
    }
  }

  private Checkpoint write(Snapshot snapshot, CountDownLatch latch) throws IOException {
    Path temporary = null;
    var part = snapshot.part();
    try {
      var staged = new ArrayList<List<StagedTensor>>();
      for (var file : snapshot.files()) {
        var tensors = new ArrayList<StagedTensor>();
        for (var named : file.tensors()) {
          var bytes = named.array().toByteBuffer();
          if (bytes.order() != ByteOrder.LITTLE_ENDIAN && ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IOException("checkpoints are written on little-endian machines only (safetensors is little-endian)");
          }
          tensors.add(new StagedTensor(named.name(), named.array().getShape().getShape(), bytes));
        }
        staged.add(tensors);
      }
      latch.countDown();
      temporary = part == null ? directory.newTemporary(snapshot.step()) : part.directory();
      var entries = new LinkedHashMap<String, CheckpointManifest.FileEntry>();
      for (int i = 0; i < snapshot.files().size(); i++) {
        var file = snapshot.files().get(i);
        entries.put(file.name(), writeTensors(temporary.resolve(file.name()), file.metadata(), staged.get(i)));
        staged.set(i, List.of()); // let the host copy go as soon as it is on disk
      }
      for (var json : snapshot.json().entrySet()) {
        entries.put(json.getKey(), writeBytes(temporary.resolve(json.getKey()), json.getValue()));
      }
      if (part != null && !part.commits()) {
        temporary = null; // rank 0's directory: it commits it, or removes it when the checkpoint fails
        part.gang().written(snapshot.step(), entries);
        return null;
      }
      if (part != null) {
        entries.putAll(part.gang().awaitPeers(snapshot.step(), () -> aborted));
      }
      var manifest = new CheckpointManifest(CheckpointManifest.FORMAT, snapshot.step(), entries);
      var manifestBytes = manifest.toJson();
      writeBytes(temporary.resolve(CheckpointManifest.FILE), manifestBytes);
      checkAborted();
      var dir = directory.commit(temporary, snapshot.step());
      temporary = null;
      var checkpoint = new Checkpoint(dir, snapshot.step(), manifest, CheckpointManifest.sha256(manifestBytes));
      directory.prune(keepLast, snapshot.step());
      onCommit.accept(checkpoint);
      return checkpoint;
    } catch (IOException | RuntimeException e) {
      var problem = e instanceof IOException ? e
          : new IOException("writing checkpoint step " + snapshot.step() + " failed: " + e.getMessage(), e);
      if (part != null && !part.commits()) {
        temporary = null;
        part.gang().failed(snapshot.step(), problem.getMessage());
      }
      if (!aborted) {
        failure = new IOException("writing checkpoint " + CheckpointDirectory.name(snapshot.step()) + " in "
            + directory.root() + " failed (" + problem.getMessage() + "); the previous checkpoints are unchanged", e);
      }
      throw (IOException) (aborted ? new IOException("checkpoint write aborted") : failure);
    } finally {
      latch.countDown();
      if (temporary != null) {
        try {
          CheckpointDirectory.deleteTree(temporary);
        } catch (IOException ignored) {
          // a hidden .tmp-* directory is removed at the next start
        }
      }
    }
  }

  private void checkAborted() throws IOException {
    if (aborted) {
      throw new IOException("checkpoint write aborted");
    }
  }

  /**
   * Writes one safetensors file from staged tensors. The sha256 is computed on a second thread
   * from the same buffers while this one writes and fsyncs, so the time is about the longer of
   * the two instead of their sum.
   */
  private CheckpointManifest.FileEntry writeTensors(Path path, Map<String, String> metadata, List<StagedTensor> tensors)
      throws IOException {
    var shapes = tensors.stream().map(t -> new SafetensorsWriter.TensorShape(t.name(), t.shape())).toList();
    var header = SafetensorsWriter.header(shapes, TensorType.F32, metadata);
    var hash = hasher.submit(() -> {
      var digest = CheckpointManifest.digest();
      digest.update(header.duplicate());
      for (var tensor : tensors) {
        digest.update(tensor.bytes().duplicate());
      }
      return HexFormat.of().formatHex(digest.digest());
    });
    long bytes = 0;
    try (var channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      bytes += write(channel, header.duplicate(), null);
      for (var tensor : tensors) {
        checkAborted();
        bytes += write(channel, tensor.bytes().duplicate(), null);
      }
      channel.force(true);
    }
    try {
      return new CheckpointManifest.FileEntry(hash.get(), bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while hashing " + path, e);
    } catch (ExecutionException e) {
      throw new IOException("hashing " + path + " failed: " + e.getCause(), e.getCause());
    }
  }

  private static CheckpointManifest.FileEntry writeBytes(Path path, byte[] content) throws IOException {
    try (var channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      write(channel, ByteBuffer.wrap(content), null);
      channel.force(true);
    }
    return new CheckpointManifest.FileEntry(CheckpointManifest.sha256(content), content.length);
  }

  private static long write(FileChannel channel, ByteBuffer buffer, java.security.MessageDigest digest)
      throws IOException {
    long n = buffer.remaining();
    if (digest != null) {
      digest.update(buffer.duplicate());
    }
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    return n;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    hasher.shutdownNow();
  }
}
