package dev.mm1.evaluator.benchmark;

import dev.mm1.evaluator.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The image swap of an image-blind control ({@code shuffleImages}): the distinct images of the test
 * samples, shuffled with a seed and mapped each to the next one in that order (a cycle, so no image
 * maps to itself). Swapping distinct images rather than samples matters for VQA, where several
 * questions share one image: every question then sees an image other than its own.
 */
final class ImageShuffle {
  private ImageShuffle() {}

  static Map<Path, Path> derangement(List<Path> images, long seed, String benchmark) {
    var distinct = new ArrayList<>(new LinkedHashSet<>(images));
    if (distinct.size() < 2) {
      throw new InvalidInputException("benchmark '" + benchmark + "': shuffleImages needs at least 2 distinct test images, found "
          + distinct.size());
    }
    Collections.shuffle(distinct, new Random(seed));
    var swap = new HashMap<Path, Path>();
    for (int i = 0; i < distinct.size(); i++) {
      swap.put(distinct.get(i), distinct.get((i + 1) % distinct.size()));
    }
    return swap;
  }
}
