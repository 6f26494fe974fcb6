package dev.mm1.trainer.data.synth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.trainer.data.synth.Scene.SceneObject;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The text the generator writes must be true of the picture it renders, or nothing can be learnt. */
class SceneTruthTest {
  private final SceneRenderer renderer = new SceneRenderer(96);

  @Test
  void eachObjectIsDrawnInItsColourInTheCellItsPlaceNames() {
    SplittableRandom random = new SplittableRandom(5);
    for (int n = 0; n < 200; n++) {
      Scene scene = Scene.random(random);
      BufferedImage image = renderer.render(scene, 240);
      for (SceneObject o : scene.objects()) {
        int x = (int) (32 * (o.column() + 0.5 + o.jitterX()));
        int y = (int) (32 * (o.row() + 0.5 + o.jitterY()));
        assertThat(new Color(image.getRGB(x, y))).as(o + " at " + o.place()).isEqualTo(o.colour().rgb);
        assertThat(x / 32).isEqualTo(o.column());
        assertThat(y / 32).isEqualTo(o.row());
      }
      // Empty cells show only background at their centre.
      for (int row = 0; row < 3; row++) {
        for (int column = 0; column < 3; column++) {
          if (scene.isCellFree(row, column)) {
            assertThat(new Color(image.getRGB(32 * column + 16, 32 * row + 16))).isEqualTo(new Color(240, 240, 240));
          }
        }
      }
    }
  }

  @Test
  void answersFollowFromTheScene() {
    SplittableRandom random = new SplittableRandom(9);
    for (int n = 0; n < 500; n++) {
      Scene scene = Scene.random(random);
      SceneDescriber.Question question = SceneDescriber.question(scene, random);
      String text = question.text();
      String answer = question.answer();
      if (text.equals("How many shapes are there?")) {
        assertThat(answer).isEqualTo(Integer.toString(scene.objects().size()));
      } else if (text.startsWith("Is there a")) {
        String name = text.replaceFirst("^Is there an? ", "").replace("?", "");
        boolean present = scene.objects().stream().anyMatch(o -> o.name().equals(name));
        assertThat(answer).isEqualTo(present ? "yes" : "no");
      } else if (text.startsWith("Where is the ")) {
        String name = text.substring("Where is the ".length(), text.length() - 1);
        assertThat(scene.objects().stream().filter(o -> o.name().equals(name)).map(SceneObject::place).toList())
            .containsExactly(answer);
      } else if (text.startsWith("What colour is the ")) {
        String shape = text.substring("What colour is the ".length(), text.length() - 1);
        assertThat(scene.objects().stream().filter(o -> o.shape().word.equals(shape)).map(o -> o.colour().word).toList())
            .containsExactly(answer);
      }
    }
  }

  @Test
  void denseCaptionNamesEveryObjectWithItsPlace() {
    SplittableRandom random = new SplittableRandom(2);
    Scene scene = Scene.random(random, 3);
    String caption = SceneDescriber.denseCaption(scene);
    assertThat(caption).startsWith("The image shows three shapes.");
    for (SceneObject o : scene.objects()) {
      assertThat(caption).contains(o.fullName()).contains(o.place());
    }
    assertThat(SceneDescriber.referenceCaptions(scene, random)).hasSize(5).doesNotHaveDuplicates();
    List<String> answers = SceneDescriber.annotatorAnswers(
        new SceneDescriber.Question("How many shapes are there?", "3", SceneDescriber.AnswerType.NUMBER, "how many"), random);
    assertThat(answers).hasSize(10).allMatch(a -> a.equals("3") || a.equals("three"));
  }
}
