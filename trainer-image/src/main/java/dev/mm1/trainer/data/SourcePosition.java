package dev.mm1.trainer.data;

/**
 * Where a lane reads next in a source.
 *
 * @param epoch passes over the source completed
 * @param shard index in the lane's shard list of this epoch (epoch-shuffled order)
 * @param sample index of the sample in that shard
 * @param global index of the sample in the epoch, across the lane's shards (lanes own indices modulo their count)
 */
public record SourcePosition(int epoch, int shard, int sample, long global) {}
