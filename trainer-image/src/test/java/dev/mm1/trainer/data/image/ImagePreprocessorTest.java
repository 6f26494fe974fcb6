package dev.mm1.trainer.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
  /** A 200×100 image: left half red, right half blue, with a green 100×100 square in the middle. */
  private static BufferedImage landscape() {
    BufferedImage image = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, 100, 100);
    g.setColor(Color.BLUE);
    g.fillRect(100, 0, 100, 100);
    g.setColor(Color.GREEN);
    g.fillRect(50, 0, 100, 100);
    g.dispose();
    return image;
  }

  private static float value(float[] chw, int side, int channel, int x, int y) {
    return chw[channel * side * side + y * side + x];
  }

  private static float normalised(int channel, int value) {
    return (value / 255f - ImagePreprocessor.MEAN[channel]) / ImagePreprocessor.STD[channel];
  }

  @Test
  void resizesTheShorterSideCentreCropsAndNormalisesWithClipStatistics() throws Exception {
    ImagePreprocessor preprocessor = new ImagePreprocessor(20, false);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(landscape(), "png", png);
    float[][] views = preprocessor.preprocess(png.toByteArray());
    assertThat(views).hasDimensions(1, 3 * 20 * 20);
    // The centre crop of a 40×20 resize is the green square: red and blue are cut away.
    for (int[] xy : new int[][] {{2, 2}, {10, 10}, {17, 17}}) {
      assertThat(value(views[0], 20, 0, xy[0], xy[1])).isCloseTo(normalised(0, 0), within(0.05f));
      assertThat(value(views[0], 20, 1, xy[0], xy[1])).isCloseTo(normalised(1, 255), within(0.05f));
      assertThat(value(views[0], 20, 2, xy[0], xy[1])).isCloseTo(normalised(2, 0), within(0.05f));
    }
  }

  @Test
  void subImageDecompositionGivesFourQuadrantsThenTheWhole() {
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    Color[] quadrants = {Color.RED, Color.GREEN, Color.BLUE, Color.WHITE};
    for (int q = 0; q < 4; q++) {
      g.setColor(quadrants[q]);
      g.fillRect((q % 2) * 32, (q / 2) * 32, 32, 32);
    }
    g.dispose();
    ImagePreprocessor preprocessor = new ImagePreprocessor(16, true);
    float[][] views = preprocessor.preprocess(image);
    assertThat(preprocessor.viewsPerImage()).isEqualTo(5);
    assertThat(views).hasNumberOfRows(5);
    for (int q = 0; q < 4; q++) {
      Color expected = quadrants[q];
      assertThat(value(views[q], 16, 0, 8, 8)).as("quadrant %d", q).isCloseTo(normalised(0, expected.getRed()), within(0.05f));
      assertThat(value(views[q], 16, 2, 8, 8)).as("quadrant %d", q).isCloseTo(normalised(2, expected.getBlue()), within(0.05f));
      // The whole-image view shows the same quadrant in the same corner.
      int x = (q % 2) * 8 + 4;
      int y = (q / 2) * 8 + 4;
      assertThat(value(views[4], 16, 1, x, y)).isCloseTo(normalised(1, expected.getGreen()), within(0.05f));
    }
  }

  @Test
  void bytesThatAreNoImageAreRejected() {
    assertThatThrownBy(() -> ImagePreprocessor.decode("not an image".getBytes()))
        .isInstanceOf(UndecodableImageException.class).hasMessageContaining("not a decodable image");
    byte[] truncatedPng = new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0};
    assertThatThrownBy(() -> ImagePreprocessor.decode(truncatedPng)).isInstanceOf(UndecodableImageException.class);
  }
}
