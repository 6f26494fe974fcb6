package dev.mm1.trainer.data;

import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.trainer.data.mix.MixtureSampler;
import dev.mm1.trainer.data.mix.SplitMix64;
import dev.mm1.trainer.data.pack.Document;
import dev.mm1.trainer.data.pack.PackedSequence;
import dev.mm1.trainer.data.pack.SequencePacker;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the global batch: its own mixture sampler, reading positions and packer. Lanes are
 * independent of each other, which makes ranks disjoint (each rank runs its own lanes) and lets
 * the prefetcher run lanes on different threads without changing any batch. Not thread-safe.
 */
final class DataLane implements Closeable {
  /** A source as a lane sees it. */
  record Source(String name, DataSourceKind kind, List<Path> shards, double weight) {}

  private final int lane;
  private final long seed;
  private final int lanes;
  private final boolean singlePass;
  private final Map<String, Source> sources = new LinkedHashMap<>();
  private final Map<String, SourceCursor> cursors = new LinkedHashMap<>();
  private final List<String> exhausted = new ArrayList<>();
  private final SampleDecoder decoder;
  private final SequencePacker packer;
  private final SkipBudget budget;
  private MixtureSampler sampler;
  private long seen;
  private long skipped;

  DataLane(int lane, int lanes, long seed, List<Source> sourceList, SampleDecoder decoder, SequencePacker packer,
      SkipBudget budget, boolean singlePass) {
    this.lane = lane;
    this.lanes = lanes;
    this.seed = seed;
    this.singlePass = singlePass;
    this.decoder = decoder;
    this.packer = packer;
    this.budget = budget;
    for (Source source : sourceList) {
      sources.put(source.name(), source);
      cursors.put(source.name(), cursor(source));
    }
    this.sampler = new MixtureSampler(weights(), SplitMix64.forStream(seed, lane).state());
  }

  private SourceCursor cursor(Source source) {
    return new SourceCursor(source.name(), source.shards(), seed, lane, lanes, singlePass);
  }

  private Map<String, Double> weights() {
    Map<String, Double> weights = new LinkedHashMap<>();
    sources.values().forEach(s -> weights.put(s.name(), s.weight()));
    return weights;
  }

  int lane() {
    return lane;
  }

  /** The next packed sequence; null when a single pass is over. */
  PackedSequence next() {
    PackedSequence sequence = packer.next(this::draw);
    if (sequence == null && singlePass) {
      budget.finish();
    }
    return sequence;
  }

  /** The next usable document of a source drawn from the mixture, skipping (and counting) bad samples. */
  private Document draw() {
    try {
      while (!sampler.active().isEmpty()) {
        String name = sampler.next();
        Source source = sources.get(name);
        SourceCursor cursor = cursors.get(name);
        while (true) {
          SourceCursor.Read read = cursor.next();
          if (read == null) {
            sampler.retire(name);
            exhausted.add(name);
            break;
          }
          if (read.bad() != null) {
            countSkip(read.bad());
            continue;
          }
          try {
            Document document = decoder.decode(name, source.kind(), read.sample(), read.at());
            sampler.record(name, document.tokenCount(packer.imageTokens()));
            seen++;
            budget.accepted();
            return document;
          } catch (BadSampleException bad) {
            countSkip(bad);
          }
        }
      }
      return null;
    } catch (IOException e) {
      throw new DataPipelineException("reading data failed: " + e.getMessage(), e);
    }
  }

  private void countSkip(BadSampleException bad) {
    seen++;
    skipped++;
    budget.skipped(bad);
  }

  PipelineState.Lane state() {
    Map<String, SourcePosition> positions = new LinkedHashMap<>();
    cursors.forEach((name, cursor) -> positions.put(name, cursor.position()));
    Document pending = packer.pending();
    PipelineState.Pending saved = pending == null ? null : new PipelineState.Pending(pending.source(), pending.key(),
        (SourcePosition) pending.origin(), packer.pendingPiece(), packer.pendingOffset());
    return new PipelineState.Lane(lane, sampler.state(), sampler.tokens(), positions, List.copyOf(exhausted), saved, seen,
        skipped);
  }

  void restore(PipelineState.Lane state) {
    try {
      sampler = new MixtureSampler(weights(), state.random(), state.tokens());
      exhausted.clear();
      for (String name : state.exhausted()) {
        sampler.retire(name);
        exhausted.add(name);
      }
      for (Map.Entry<String, SourceCursor> entry : cursors.entrySet()) {
        SourcePosition position = state.positions().get(entry.getKey());
        if (position == null) {
          throw new DataPipelineException("saved data state has no position for source '" + entry.getKey() + "'");
        }
        entry.getValue().seek(position);
      }
      seen = state.seen();
      skipped = state.skipped();
      budget.add(seen, skipped);
      packer.restorePending(state.pending() == null ? null : reread(state.pending()),
          state.pending() == null ? 0 : state.pending().piece(), state.pending() == null ? 0 : state.pending().offset());
    } catch (IOException e) {
      throw new UncheckedIOException("restoring the data position failed: " + e.getMessage(), e);
    }
  }

  /** Reads a partly packed document again from where it was read. */
  private Document reread(PipelineState.Pending pending) throws IOException {
    Source source = sources.get(pending.source());
    if (source == null) {
      throw new DataPipelineException("saved data state names source '" + pending.source() + "', which this run does not have");
    }
    try (SourceCursor cursor = cursor(source)) {
      cursor.seek(pending.at());
      SourceCursor.Read read = cursor.next();
      if (read == null || read.sample() == null || !read.sample().key().equals(pending.key())) {
        throw new DataPipelineException("source '" + pending.source() + "': sample '" + pending.key() + "' is no longer at "
            + pending.at() + "; the shards changed since the state was saved");
      }
      return decoder.decode(source.name(), source.kind(), read.sample(), read.at());
    } catch (BadSampleException e) {
      throw new DataPipelineException("re-reading a partly packed sample failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    for (SourceCursor cursor : cursors.values()) {
      try {
        cursor.close();
      } catch (IOException ignored) {
        // read-only files: nothing is lost
      }
    }
  }
}
