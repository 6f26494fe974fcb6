package dev.mm1.trainer.data;

import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.api.v1alpha1.DataSourceSpec;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.data.image.ImagePreprocessor;
import dev.mm1.trainer.data.pack.PackedSequence;
import dev.mm1.trainer.data.pack.SequencePacker;
import dev.mm1.trainer.data.shard.ShardPattern;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The MM1 data pipeline of one rank, configured by a {@link DataSpec}: WebDataset shards → samples
 * → documents (decoded, preprocessed images; tokenized text) → mixture by weight → packed
 * sequences → batches.
 *
 * <p>The global batch has {@code batchSize × worldSize} rows, called lanes; each lane has its own
 * mixture sampler (seeded by pipeline seed and lane index), reading positions and packer, and
 * reads a disjoint part of every source. Rank {@code r} runs lanes {@code r·batchSize …
 * (r+1)·batchSize − 1}. So the ranks never read the same sample, and the rows of all ranks' batch
 * {@code k}, in rank order, are exactly batch {@code k} of a single process run with the combined
 * batch size. {@link #state()} saves the exact position; {@link Builder#resumeFrom} restores it.
 *
 * <p>{@link #nextBatch()} computes synchronously; {@link PrefetchingLoader} runs the lanes on
 * background threads. Use one or the other.
 */
public final class DataPipeline implements AutoCloseable {
  private final long seed;
  private final int totalLanes;
  private final List<String> sourceNames;
  private final List<DataLane> lanes;
  private final SkipBudget budget;

  private DataPipeline(long seed, int totalLanes, List<String> sourceNames, List<DataLane> lanes, SkipBudget budget) {
    this.seed = seed;
    this.totalLanes = totalLanes;
    this.sourceNames = sourceNames;
    this.lanes = lanes;
    this.budget = budget;
  }

  public static Builder builder(DataSpec spec) {
    return new Builder(spec);
  }

  /** The next batch; null when a single-pass pipeline has packed everything. */
  public Batch nextBatch() {
    List<PackedSequence> sequences = new ArrayList<>();
    List<PipelineState.Lane> states = new ArrayList<>();
    for (DataLane lane : lanes) {
      PackedSequence sequence = lane.next();
      if (sequence != null) {
        sequences.add(sequence);
      }
      states.add(lane.state());
    }
    return sequences.isEmpty() ? null : new Batch(List.copyOf(sequences), state(states));
  }

  /** The exact position after the last batch taken with {@link #nextBatch()}. */
  public PipelineState state() {
    return state(lanes.stream().map(DataLane::state).toList());
  }

  PipelineState state(List<PipelineState.Lane> laneStates) {
    return new PipelineState(PipelineState.VERSION, seed, totalLanes, sourceNames, List.copyOf(laneStates));
  }

  List<DataLane> lanes() {
    return lanes;
  }

  /** Samples read so far by this rank and how many of them were bad and skipped. */
  public long samplesSeen() {
    return budget.seen();
  }

  public long samplesSkipped() {
    return budget.skipped();
  }

  @Override
  public void close() {
    lanes.forEach(DataLane::close);
  }

  /** Settings that the spec does not hold: model shape, batch and rank. */
  public static final class Builder {
    private final DataSpec spec;
    private MM1Tokenizer tokenizer;
    private Integer imageTokens;
    private Integer defaultResolution;
    private int batchSize = 1;
    private int rank;
    private int worldSize = 1;
    private boolean singlePass;
    private PipelineState resumeFrom;

    private Builder(DataSpec spec) {
      this.spec = spec;
    }

    /** Required: the tokenizer (owned by the caller, who closes it). */
    public Builder tokenizer(MM1Tokenizer tokenizer) {
      this.tokenizer = tokenizer;
      return this;
    }

    /** Required: sequence positions per image view, the model's connector output count. */
    public Builder imageTokens(int imageTokens) {
      this.imageTokens = imageTokens;
      return this;
    }

    /** The image encoder's resolution, used when the spec sets no {@code imageResolution}. */
    public Builder defaultResolution(int resolution) {
      this.defaultResolution = resolution;
      return this;
    }

    /** Sequences per batch on this rank (the micro-batch). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** This process's rank and the number of ranks. */
    public Builder rank(int rank, int worldSize) {
      this.rank = rank;
      this.worldSize = worldSize;
      return this;
    }

    /** Read every source once and stop (evaluation, tests, benchmarks) instead of cycling through epochs. */
    public Builder singlePass(boolean singlePass) {
      this.singlePass = singlePass;
      return this;
    }

    /** Continue exactly where a saved state left off; it must hold this rank's lanes. */
    public Builder resumeFrom(PipelineState state) {
      this.resumeFrom = state;
      return this;
    }

    public DataPipeline build() {
      if (spec == null || spec.sources == null || spec.sources.isEmpty()) {
        throw new IllegalArgumentException("data.sources: at least one source is required");
      }
      if (tokenizer == null || imageTokens == null || imageTokens < 1) {
        throw new IllegalArgumentException("the data pipeline needs a tokenizer and image tokens per image >= 1");
      }
      if (batchSize < 1 || worldSize < 1 || rank < 0 || rank >= worldSize) {
        throw new IllegalArgumentException("batch size must be >= 1 and rank within 0.." + (worldSize - 1) + "; got batch size "
            + batchSize + ", rank " + rank + ", world size " + worldSize);
      }
      Integer resolution = spec.imageResolution != null ? spec.imageResolution : defaultResolution;
      if (resolution == null || resolution < 1) {
        throw new IllegalArgumentException("data.imageResolution is unset and no encoder resolution was given");
      }
      int sequenceLength = spec.sequenceLength == null ? 4096 : spec.sequenceLength;
      int maxImages = spec.maxImagesPerSequence == null ? 16 : spec.maxImagesPerSequence;
      boolean subImages = Boolean.TRUE.equals(spec.subImageDecomposition);
      long seed = spec.seed == null ? 0 : spec.seed;
      ImagePreprocessor images = new ImagePreprocessor(resolution, subImages);
      List<DataLane.Source> sources = sources(spec, images, sequenceLength, maxImages);
      SkipBudget budget = new SkipBudget(spec.onBadSample, spec.maxSkippedFraction == null ? 0.01 : spec.maxSkippedFraction);
      SampleDecoder decoder = new SampleDecoder(tokenizer, images);
      int totalLanes = batchSize * worldSize;
      List<DataLane> lanes = new ArrayList<>();
      for (int lane = rank * batchSize; lane < (rank + 1) * batchSize; lane++) {
        lanes.add(new DataLane(lane, totalLanes, seed, sources, decoder,
            new SequencePacker(sequenceLength, maxImages, imageTokens, tokenizer.pad(), tokenizer.image()), budget, singlePass));
      }
      List<String> names = sources.stream().map(DataLane.Source::name).toList();
      DataPipeline pipeline = new DataPipeline(seed, totalLanes, names, List.copyOf(lanes), budget);
      if (resumeFrom != null) {
        restore(pipeline, resumeFrom, seed, totalLanes, names);
      }
      return pipeline;
    }

    private List<DataLane.Source> sources(DataSpec spec, ImagePreprocessor images, int sequenceLength, int maxImages) {
      List<DataLane.Source> sources = new ArrayList<>();
      Set<String> names = new HashSet<>();
      SequencePacker limits = new SequencePacker(sequenceLength, maxImages, imageTokens, 0, 0);
      for (int i = 0; i < spec.sources.size(); i++) {
        DataSourceSpec source = spec.sources.get(i);
        String field = "data.sources[" + i + "]";
        if (source.name == null || !names.add(source.name)) {
          throw new IllegalArgumentException(field + ".name must be set and unique, got '" + source.name + "'");
        }
        if (source.kind == null) {
          throw new IllegalArgumentException(field + ".kind must be one of Caption, Interleaved, Text, SFT");
        }
        if (source.weight == null || !(source.weight > 0) || source.weight.isInfinite()) {
          throw new IllegalArgumentException(field + ".weight must be a number > 0, got " + source.weight);
        }
        if (source.kind != DataSourceKind.Text) {
          try {
            limits.checkImageFits(images.viewsPerImage());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " ('" + source.name + "', " + source.kind + "): " + e.getMessage());
          }
        }
        try {
          sources.add(new DataLane.Source(source.name, source.kind, ShardPattern.expand(source.shards), source.weight));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(field + ".shards: " + e.getMessage(), e);
        }
      }
      return sources;
    }

    private static void restore(DataPipeline pipeline, PipelineState state, long seed, int totalLanes, List<String> names) {
      if (state.seed() != seed || state.lanes() != totalLanes || !state.sources().equals(names)) {
        throw new DataPipelineException("the saved data state does not match this run: it has seed " + state.seed() + ", "
            + state.lanes() + " lanes (batch size × world size) and sources " + state.sources() + "; this run has seed " + seed
            + ", " + totalLanes + " lanes and sources " + names);
      }
      for (DataLane lane : pipeline.lanes) {
        PipelineState.Lane saved = state.laneStates().stream().filter(l -> l.lane() == lane.lane()).findFirst()
            .orElseThrow(() -> new DataPipelineException("the saved data state has no lane " + lane.lane()
                + "; save the merged state of all ranks (PipelineState.merge)"));
        lane.restore(saved);
      }
    }
  }
}
