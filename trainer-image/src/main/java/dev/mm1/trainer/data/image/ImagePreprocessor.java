package dev.mm1.trainer.data.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Turns encoded images into the image encoder's input: decode, resize the shorter side to the
 * resolution, centre-crop to a square, and normalise with CLIP's per-channel mean and standard
 * deviation into a CHW float array. With sub-image decomposition (MM1's high-resolution SFT) an
 * image becomes five views: the four quadrants of the image at twice the resolution, then the
 * whole image at the resolution.
 *
 * <p>Thread-safe: holds only settings.
 */
public final class ImagePreprocessor {
  /** CLIP's RGB mean and standard deviation (OpenAI CLIP preprocessing). */
  static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
  /** Decoded images larger than this many pixels are rejected: a corrupt header must not exhaust memory. */
  static final long MAX_PIXELS = 64L << 20;

  private final int resolution;
  private final boolean subImages;

  /**
   * @param resolution side of the encoder's square input in pixels
   * @param subImages whether to decompose into four crops plus the downscaled whole
   */
  public ImagePreprocessor(int resolution, boolean subImages) {
    if (resolution < 1) {
      throw new IllegalArgumentException("image resolution must be positive, got " + resolution);
    }
    this.resolution = resolution;
    this.subImages = subImages;
  }

  public int resolution() {
    return resolution;
  }

  /** Encoder inputs per source image: 5 with sub-image decomposition, else 1. */
  public int viewsPerImage() {
    return subImages ? 5 : 1;
  }

  /** Floats per view: 3 × resolution × resolution. */
  public int floatsPerView() {
    return 3 * resolution * resolution;
  }

  /** Decodes PNG, JPEG, GIF or BMP bytes; throws {@link UndecodableImageException} for anything else. */
  public static BufferedImage decode(byte[] bytes) throws UndecodableImageException {
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new UndecodableImageException("not a decodable image (" + e.getMessage() + ")", e);
    }
    if (image == null) {
      throw new UndecodableImageException("not a decodable image (no PNG/JPEG/GIF/BMP signature, " + bytes.length + " bytes)", null);
    }
    if ((long) image.getWidth() * image.getHeight() > MAX_PIXELS || image.getWidth() < 1 || image.getHeight() < 1) {
      throw new UndecodableImageException("image of " + image.getWidth() + "×" + image.getHeight() + " pixels is out of range", null);
    }
    return image;
  }

  /** The encoder views of an encoded image, each CHW normalised. */
  public float[][] preprocess(byte[] encoded) throws UndecodableImageException {
    return preprocess(decode(encoded));
  }

  /** The encoder views of a decoded image, each CHW normalised. */
  public float[][] preprocess(BufferedImage image) {
    if (!subImages) {
      return new float[][] {normalise(resizeAndCrop(image, resolution))};
    }
    BufferedImage large = resizeAndCrop(image, 2 * resolution);
    float[][] views = new float[5][];
    int view = 0;
    for (int row = 0; row < 2; row++) {
      for (int column = 0; column < 2; column++) {
        views[view++] = normalise(large.getSubimage(column * resolution, row * resolution, resolution, resolution));
      }
    }
    views[4] = normalise(resizeAndCrop(large, resolution));
    return views;
  }

  /** Scales the shorter side to {@code side} (bicubic, in halving steps when shrinking a lot), then centre-crops. */
  static BufferedImage resizeAndCrop(BufferedImage image, int side) {
    int width = image.getWidth();
    int height = image.getHeight();
    double scale = (double) side / Math.min(width, height);
    BufferedImage current = toRgb(image);
    // Halving first keeps large downscales from aliasing, as one bicubic step would.
    while (scale < 0.5) {
      current = scaled(current, Math.max(1, current.getWidth() / 2), Math.max(1, current.getHeight() / 2));
      scale *= 2;
    }
    int scaledWidth = Math.max(side, (int) Math.round(current.getWidth() * scale));
    int scaledHeight = Math.max(side, (int) Math.round(current.getHeight() * scale));
    if (scaledWidth != current.getWidth() || scaledHeight != current.getHeight()) {
      current = scaled(current, scaledWidth, scaledHeight);
    }
    int x = (scaledWidth - side) / 2;
    int y = (scaledHeight - side) / 2;
    return current.getSubimage(x, y, side, side);
  }

  private static BufferedImage toRgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB) {
      return image;
    }
    BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    try {
      g.drawImage(image, 0, 0, java.awt.Color.WHITE, null); // transparent pixels become white
    } finally {
      g.dispose();
    }
    return rgb;
  }

  private static BufferedImage scaled(BufferedImage image, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(image, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** CHW floats, (pixel / 255 - mean) / std per channel. */
  static float[] normalise(BufferedImage square) {
    int side = square.getWidth();
    int plane = side * side;
    int[] argb = square.getRGB(0, 0, side, side, null, 0, side);
    float[] chw = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      int pixel = argb[i];
      chw[i] = (((pixel >> 16) & 0xff) / 255f - MEAN[0]) / STD[0];
      chw[plane + i] = (((pixel >> 8) & 0xff) / 255f - MEAN[1]) / STD[1];
      chw[2 * plane + i] = ((pixel & 0xff) / 255f - MEAN[2]) / STD[2];
    }
    return chw;
  }
}
