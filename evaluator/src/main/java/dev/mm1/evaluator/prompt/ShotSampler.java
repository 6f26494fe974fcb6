package dev.mm1.evaluator.prompt;

import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.data.ItemId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Draws the few-shot examples of each query from the support pool: k distinct examples, none of
 * them the query or another sample of the query's image, chosen by a random stream seeded with the
 * benchmark's seed and the query's id. So a query gets the same shots whatever else is evaluated,
 * in any order, on any machine.
 *
 * @param <T> support sample type
 */
final class ShotSampler<T> {
  private final List<T> support;
  private final Function<T, ItemId> imageOf;
  private final Map<ItemId, Integer> perImage = new HashMap<>();
  private final long seed;

  ShotSampler(List<T> support, Function<T, ItemId> imageOf, long seed) {
    this.support = support;
    this.imageOf = imageOf;
    this.seed = seed;
    support.forEach(sample -> perImage.merge(imageOf.apply(sample), 1, Integer::sum));
  }

  /** The random stream of one query: the same seed and query id give the same stream. */
  SplittableRandom random(ItemId query) {
    long key = seed * 0x9E3779B97F4A7C15L + query.text().hashCode() * 0xC2B2AE3D27D4EB4FL + (query.numeric() ? 1 : 0);
    return new SplittableRandom(key);
  }

  /** {@code k} examples for the query whose image is {@code queryImage}, in prompt order. */
  List<T> draw(ItemId queryImage, int k, SplittableRandom random) {
    if (k < 0) {
      throw new InvalidInputException("shots must be 0 or more, got " + k);
    }
    int eligible = support.size() - perImage.getOrDefault(queryImage, 0);
    if (eligible < k) {
      throw new InvalidInputException(k + " shots need " + k + " support examples of other images than " + queryImage
          + "; the support split has " + eligible);
    }
    LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
    int attempts = 0;
    while (chosen.size() < k && attempts < 64 * k + 64) {
      int index = random.nextInt(support.size());
      attempts++;
      if (!imageOf.apply(support.get(index)).equals(queryImage)) {
        chosen.add(index);
      }
    }
    if (chosen.size() < k) {
      // Most of the pool is the query's image: draw from the eligible ones explicitly.
      List<Integer> rest = new ArrayList<>();
      for (int i = 0; i < support.size(); i++) {
        if (!chosen.contains(i) && !imageOf.apply(support.get(i)).equals(queryImage)) {
          rest.add(i);
        }
      }
      while (chosen.size() < k) {
        chosen.add(rest.remove(random.nextInt(rest.size())));
      }
    }
    return chosen.stream().map(support::get).toList();
  }
}
