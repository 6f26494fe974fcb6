package dev.mm1.trainer.data.synth;

/** How much the corpus generator writes; shard counts match the sample specs in manifests/samples. */
public enum CorpusSize {
  /** Minutes of CPU training; a few MB. */
  SMALL(4, 2, 4, 2, 2, 64, 16, 64, 64, 100, 32),
  /** Enough for visible zero- and few-shot learning of the tiny and small presets. */
  MEDIUM(16, 8, 16, 8, 8, 512, 128, 256, 256, 500, 100);

  public final int captionShards;
  public final int vecapShards;
  public final int interleavedShards;
  public final int textShards;
  public final int sftShards;
  /** Samples per caption and VeCap shard. */
  public final int captionsPerShard;
  /** Documents per interleaved shard. */
  public final int documentsPerShard;
  /** Documents per text shard. */
  public final int textsPerShard;
  /** Conversations per SFT shard. */
  public final int conversationsPerShard;
  /** Images in each evaluation test split. */
  public final int evalTestImages;
  /** Images in each evaluation few-shot support split. */
  public final int evalSupportImages;

  CorpusSize(int captionShards, int vecapShards, int interleavedShards, int textShards, int sftShards,
      int captionsPerShard, int documentsPerShard, int textsPerShard, int conversationsPerShard,
      int evalTestImages, int evalSupportImages) {
    this.captionShards = captionShards;
    this.vecapShards = vecapShards;
    this.interleavedShards = interleavedShards;
    this.textShards = textShards;
    this.sftShards = sftShards;
    this.captionsPerShard = captionsPerShard;
    this.documentsPerShard = documentsPerShard;
    this.textsPerShard = textsPerShard;
    this.conversationsPerShard = conversationsPerShard;
    this.evalTestImages = evalTestImages;
    this.evalSupportImages = evalSupportImages;
  }
}
