package dev.mm1.evaluator.benchmark;

import dev.mm1.api.v1alpha1.DatasetFormat;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.data.VqaAnnotations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VQA benchmark as loaded: the questions to answer and score ({@code test}) and the pool few-shot
 * examples are drawn from ({@code support}).
 *
 * @param source the directory it was read from
 * @param format the layout it was read as
 */
public record VqaBenchmark(String source, DatasetFormat format, List<VqaSample> test, List<VqaSample> support) {
  /** The first {@code n} test questions (all when n is null or larger), same support. */
  public VqaBenchmark limit(Integer n) {
    return n == null || n >= test.size() ? this : new VqaBenchmark(source, format, test.subList(0, n), support);
  }

  /** The same benchmark with each question shown another test image (the image-blind control). */
  public VqaBenchmark withShuffledImages(long seed, String name) {
    var swap = ImageShuffle.derangement(test.stream().map(VqaSample::image).toList(), seed, name);
    var shuffled = test.stream().map(s -> new VqaSample(s.questionId(), swap.get(s.image()), s.truth())).toList();
    return new VqaBenchmark(source, format, shuffled, support);
  }

  /** The test questions' ground truth, in test order, as the VQA scorer takes it. */
  public VqaAnnotations annotations() {
    Map<ItemId, VqaAnnotations.Entry> entries = new LinkedHashMap<>();
    test.forEach(sample -> entries.put(sample.questionId(), sample.truth()));
    return VqaAnnotations.of(source, entries);
  }
}
