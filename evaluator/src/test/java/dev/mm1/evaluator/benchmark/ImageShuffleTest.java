package dev.mm1.evaluator.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mm1.api.v1alpha1.DatasetFormat;
import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.data.VqaAnnotations;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ImageShuffleTest {
  static List<Path> images(int n) {
    return IntStream.range(0, n).mapToObj(i -> Path.of("img-" + i + ".png")).toList();
  }

  @Test
  void everyImageGoesToAnotherAndEachIsUsedOnce() {
    for (int n : new int[] {2, 3, 17, 200}) {
      var swap = ImageShuffle.derangement(images(n), 7, "b");
      assertThat(swap).hasSize(n);
      swap.forEach((from, to) -> assertThat(to).isNotEqualTo(from));
      assertThat(new HashSet<>(swap.values())).containsExactlyInAnyOrderElementsOf(images(n));
    }
  }

  @Test
  void theSameSeedGivesTheSameSwapAndAnotherSeedAnother() {
    assertThat(ImageShuffle.derangement(images(50), 3, "b")).isEqualTo(ImageShuffle.derangement(images(50), 3, "b"));
    assertThat(ImageShuffle.derangement(images(50), 3, "b")).isNotEqualTo(ImageShuffle.derangement(images(50), 4, "b"));
  }

  @Test
  void questionsThatShareAnImageAllSeeAnotherOneAndKeepTheirTruth() {
    var test = IntStream.range(0, 12).mapToObj(i -> new VqaSample(ItemId.ofNumber(String.valueOf(i)), Path.of("img-" + i / 3 + ".png"),
        new VqaAnnotations.Entry(ItemId.ofNumber(String.valueOf(i / 3)), "q" + i, "other", "other", List.of()))).toList();
    var blind = new VqaBenchmark("dir", DatasetFormat.Auto, test, List.of()).withShuffledImages(1, "vqa");
    for (int i = 0; i < test.size(); i++) {
      assertThat(blind.test().get(i).image()).isNotEqualTo(test.get(i).image());
      assertThat(blind.test().get(i).truth()).isEqualTo(test.get(i).truth());
    }
    // questions on one image still share one (other) image
    assertThat(blind.test().get(0).image()).isEqualTo(blind.test().get(2).image());
  }

  @Test
  void oneDistinctImageCannotBeShuffled() {
    var one = List.of(new CaptionSample(ItemId.ofNumber("1"), Path.of("a.png"), List.of("a cat")),
        new CaptionSample(ItemId.ofNumber("2"), Path.of("a.png"), List.of("a cat")));
    assertThatThrownBy(() -> new CaptionBenchmark("dir", DatasetFormat.Auto, one, List.of()).withShuffledImages(0, "caps"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("'caps'").hasMessageContaining("at least 2 distinct test images");
  }
}
