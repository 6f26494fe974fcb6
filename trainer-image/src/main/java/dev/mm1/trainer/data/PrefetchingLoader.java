package dev.mm1.trainer.data;

import dev.mm1.trainer.data.pack.PackedSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a pipeline's lanes on background threads so that the trainer does not wait for data:
 * each thread owns some lanes and keeps a bounded queue of finished sequences per lane, each with
 * the lane's state after it. {@link #next()} takes one sequence per lane, so batches and their
 * states are exactly those of {@link DataPipeline#nextBatch()}, whatever the thread count.
 * A failure on any thread is rethrown by {@link #next()}; {@link #close()} stops the threads.
 * {@link #next()} never blocks forever: it notices failed or stopped threads.
 */
public final class PrefetchingLoader implements AutoCloseable {
  private static final Object END = new Object();

  private record Produced(PackedSequence sequence, PipelineState.Lane state) {}

  private final DataPipeline pipeline;
  private final List<BlockingQueue<Object>> queues = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final PipelineState.Lane[] laneStates;
  private final boolean[] finished;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean closed;

  /**
   * @param threadCount background threads (at most one per lane is useful)
   * @param depth sequences buffered per lane, at least 2
   */
  public PrefetchingLoader(DataPipeline pipeline, int threadCount, int depth) {
    if (threadCount < 1 || depth < 2) {
      throw new IllegalArgumentException("prefetch needs >= 1 thread and a depth >= 2, got " + threadCount + " and " + depth);
    }
    this.pipeline = pipeline;
    List<DataLane> lanes = pipeline.lanes();
    this.laneStates = new PipelineState.Lane[lanes.size()];
    this.finished = new boolean[lanes.size()];
    for (int i = 0; i < lanes.size(); i++) {
      queues.add(new ArrayBlockingQueue<>(depth));
      laneStates[i] = lanes.get(i).state();
    }
    int count = Math.min(threadCount, lanes.size());
    for (int t = 0; t < count; t++) {
      List<Integer> owned = new ArrayList<>();
      for (int i = t; i < lanes.size(); i += count) {
        owned.add(i);
      }
      Thread thread = Thread.ofPlatform().daemon().name("mm1-data-" + t).unstarted(() -> produce(owned));
      threads.add(thread);
    }
    threads.forEach(Thread::start);
  }

  /** Round-robin over the owned lanes; a lane's order is its own, so the thread count changes nothing. */
  private void produce(List<Integer> owned) {
    List<Integer> active = new ArrayList<>(owned);
    try {
      while (!closed && !active.isEmpty()) {
        for (int i = 0; i < active.size() && !closed; i++) {
          int index = active.get(i);
          DataLane lane = pipeline.lanes().get(index);
          PackedSequence sequence = lane.next();
          if (sequence == null) {
            queues.get(index).put(END);
            active.remove(i--);
          } else {
            queues.get(index).put(new Produced(sequence, lane.state()));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
  }

  /** The next batch, as {@link DataPipeline#nextBatch()} would give it; null at the end of a single pass. */
  public Batch next() {
    if (closed) {
      throw new IllegalStateException("the loader is closed");
    }
    List<PackedSequence> sequences = new ArrayList<>();
    for (int i = 0; i < queues.size(); i++) {
      if (finished[i]) {
        continue;
      }
      Object item = take(i);
      if (item == END) {
        finished[i] = true;
      } else {
        Produced produced = (Produced) item;
        sequences.add(produced.sequence());
        laneStates[i] = produced.state();
      }
    }
    if (sequences.isEmpty()) {
      return null;
    }
    return new Batch(List.copyOf(sequences), pipeline.state(List.of(laneStates)));
  }

  /** The state after the last batch returned by {@link #next()} (not after what is buffered). */
  public PipelineState state() {
    return pipeline.state(List.of(laneStates));
  }

  private Object take(int lane) {
    Thread owner = threads.get(lane % threads.size());
    try {
      while (true) {
        Object item = queues.get(lane).poll(50, TimeUnit.MILLISECONDS);
        if (item != null) {
          return item;
        }
        Throwable error = failure.get();
        if (error != null) {
          throw error instanceof DataPipelineException pipelineError ? new DataPipelineException(pipelineError.getMessage(), error)
              : new DataPipelineException("data loading failed: " + error, error);
        }
        if (!owner.isAlive() && queues.get(lane).isEmpty()) {
          throw new DataPipelineException("data loading thread " + owner.getName() + " stopped");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataPipelineException("interrupted while waiting for data", e);
    }
  }

  /** Stops the background threads and waits for them; the pipeline stays open (its owner closes it). */
  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
    for (Thread thread : threads) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
