package dev.mm1.trainer.data;

import dev.mm1.trainer.data.mix.SplitMix64;
import dev.mm1.trainer.data.shard.CorruptShardException;
import dev.mm1.trainer.data.shard.ShardSample;
import dev.mm1.trainer.data.shard.ShardSampleReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One data-parallel lane's reading position in one source. Each epoch visits the shards in an
 * order shuffled by seed and epoch. Lanes are disjoint: with at least as many shards as lanes,
 * lane {@code p} of {@code n} reads the shards at positions {@code p, p+n, …} of the epoch order;
 * with fewer shards, every lane walks all shards and owns the samples whose index in the epoch is
 * {@code p} mod {@code n}, skipping the others' content by seeking. The position is four numbers,
 * saved in the pipeline state.
 */
final class SourceCursor implements Closeable {
  /** A sample this lane owns, or the bad sample (corrupt shard) in its place. */
  record Read(ShardSample sample, SourcePosition at, BadSampleException bad) {}

  private final String source;
  private final List<Path> shards;
  private final long seed;
  private final int lane;
  private final int lanes;
  private final boolean singlePass;
  private final boolean shardPerLane;

  private int epoch;
  private int shardIndex;
  private long global;
  private List<Path> epochShards;
  private ShardSampleReader reader;
  private long ownedThisEpoch;

  SourceCursor(String source, List<Path> shards, long seed, int lane, int lanes, boolean singlePass) {
    this.source = source;
    this.shards = List.copyOf(shards);
    this.seed = seed;
    this.lane = lane;
    this.lanes = lanes;
    this.singlePass = singlePass;
    this.shardPerLane = shards.size() >= lanes;
    this.epochShards = epochShards(0);
  }

  /** The next sample of this lane, loaded; null when a single pass is over. */
  Read next() throws IOException {
    while (true) {
      if (shardIndex >= epochShards.size()) {
        if (ownedThisEpoch == 0) {
          throw new DataPipelineException("source '" + source + "': data-parallel lane " + lane + " of " + lanes
              + " found no samples in a pass over its " + epochShards.size() + " shard(s); a source needs at least one sample "
              + "per lane (batch size × world size = " + lanes + ")");
        }
        if (singlePass) {
          return null;
        }
        epoch++;
        shardIndex = 0;
        global = 0;
        ownedThisEpoch = 0;
        epochShards = epochShards(epoch);
      }
      if (reader == null) {
        reader = ShardSampleReader.open(epochShards.get(shardIndex));
      }
      SourcePosition at = position();
      boolean mine = shardPerLane || global % lanes == lane;
      try {
        ShardSample sample = reader.next(mine);
        if (sample == null) {
          nextShard();
          continue;
        }
        global++;
        if (mine) {
          ownedThisEpoch++;
          return new Read(sample, at, null);
        }
      } catch (CorruptShardException e) {
        // Nothing after a corruption can be trusted: the rest of the shard counts as one bad sample.
        global++;
        nextShard();
        if (mine) {
          ownedThisEpoch++;
          return new Read(null, at, new BadSampleException(e.getMessage() + "; the rest of the shard is skipped", e));
        }
      }
    }
  }

  private void nextShard() throws IOException {
    closeReader();
    shardIndex++;
  }

  /** The position of the next sample. */
  SourcePosition position() {
    return new SourcePosition(epoch, shardIndex, reader == null ? 0 : reader.nextIndex(), global);
  }

  /** Moves to a saved position, skipping (not loading) the samples before it in its shard. */
  void seek(SourcePosition position) throws IOException {
    closeReader();
    epoch = position.epoch();
    epochShards = epochShards(epoch);
    shardIndex = position.shard();
    global = position.global();
    ownedThisEpoch = 1; // a saved position was reached by reading owned samples, or is at an epoch start
    if (shardIndex < epochShards.size() && position.sample() > 0) {
      reader = ShardSampleReader.open(epochShards.get(shardIndex));
      for (int i = 0; i < position.sample(); i++) {
        if (reader.next(false) == null) {
          throw new DataPipelineException("source '" + source + "': saved position " + position + " is past the end of "
              + epochShards.get(shardIndex) + "; the shards changed since the state was saved");
        }
      }
    }
  }

  /** This lane's shards of an epoch, in the epoch's shuffled order. */
  private List<Path> epochShards(int epochNumber) {
    List<Path> order = new ArrayList<>(shards);
    SplitMix64 random = SplitMix64.forStream(seed ^ source.hashCode(), epochNumber);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Path swap = order.get(i);
      order.set(i, order.get(j));
      order.set(j, swap);
    }
    if (!shardPerLane) {
      return order;
    }
    List<Path> mine = new ArrayList<>();
    for (int i = lane; i < order.size(); i += lanes) {
      mine.add(order.get(i));
    }
    return mine;
  }

  private void closeReader() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  @Override
  public void close() throws IOException {
    closeReader();
  }
}
