package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Training data: WebDataset shard sources mixed by weight, packed into fixed-length sequences. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataSpec {
  /** Named data sources; each batch mixes them in proportion to their weights (MM1: 45:45:10). */
  @Required
  @Size(min = 1, max = 64)
  @ListType(value = "map", keys = "name")
  public List<DataSourceSpec> sources;

  /** Tokens per packed training sequence, image tokens included (MM1: 4096). */
  @Min(16)
  @Max(1048576)
  public Integer sequenceLength = 4096;

  /** Most images packed into one sequence. */
  @Min(0)
  @Max(1024)
  public Integer maxImagesPerSequence = 16;

  /** Image side in pixels after resizing and centre-cropping; unset means the encoder's resolution. */
  @Min(16)
  @Max(4096)
  public Integer imageResolution;

  /** Packed documents attend only within themselves, positions restarting per document; false allows plain causal attention across them. */
  public Boolean documentMasking = true;

  /** Splits each image into four crops plus the downscaled whole image (MM1's high-resolution SFT). */
  public Boolean subImageDecomposition = false;

  /** Seed of the mixture sampler and shuffling; the same seed reproduces the same batches. */
  @Min(0)
  public Long seed = 0L;

  /** What a corrupt or incomplete sample does: Skip (counted) or Fail the run. */
  public BadSamplePolicy onBadSample = BadSamplePolicy.Skip;

  /** Largest fraction of skipped samples before the run fails. */
  @Min(0)
  @Max(1)
  public Double maxSkippedFraction = 0.01;
}
