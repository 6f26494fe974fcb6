package dev.mm1.evaluator.benchmark;

import dev.mm1.api.v1alpha1.DatasetFormat;
import dev.mm1.evaluator.data.CaptionReferences;
import dev.mm1.evaluator.data.ItemId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A captioning benchmark as loaded: the images to caption and score ({@code test}) and the pool
 * few-shot examples are drawn from ({@code support}).
 *
 * @param source the directory it was read from
 * @param format the layout it was read as
 */
public record CaptionBenchmark(String source, DatasetFormat format, List<CaptionSample> test, List<CaptionSample> support) {
  /** The first {@code n} test images (all when n is null or larger), same support. */
  public CaptionBenchmark limit(Integer n) {
    return n == null || n >= test.size() ? this : new CaptionBenchmark(source, format, test.subList(0, n), support);
  }

  /** The same benchmark with each test image replaced by another test image (the image-blind control). */
  public CaptionBenchmark withShuffledImages(long seed, String name) {
    var swap = ImageShuffle.derangement(test.stream().map(CaptionSample::image).toList(), seed, name);
    var shuffled = test.stream().map(s -> new CaptionSample(s.imageId(), swap.get(s.image()), s.references())).toList();
    return new CaptionBenchmark(source, format, shuffled, support);
  }

  /** The test images' references, in test order, as the caption scorer takes them. */
  public CaptionReferences references() {
    Map<ItemId, List<String>> captions = new LinkedHashMap<>();
    test.forEach(sample -> captions.put(sample.imageId(), sample.references()));
    return CaptionReferences.of(source, test.stream().map(CaptionSample::imageId).toList(), captions);
  }
}
