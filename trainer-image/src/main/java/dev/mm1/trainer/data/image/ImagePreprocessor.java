package dev.mm1.trainer.data.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Turns encoded images into the image encoder's input: decode, resize the shorter side to the
 * resolution, centre-crop to a square, and normalise with CLIP's per-channel mean and standard
 * deviation into a CHW float array. With sub-image decomposition (MM1's high-resolution SFT) an
 * image becomes five views: the four quadrants of the image at twice the resolution (top left,
 * top right, bottom left, bottom right), then the whole image at the resolution.
 *
 * <p>Resizing is separable antialiased bilinear (a triangle filter widened by the shrink factor,
 * as PIL's {@code BILINEAR} does), computed only for the pixels the crop keeps. Thread-safe: holds
 * only settings.
 */
public final class ImagePreprocessor {
  /** CLIP's RGB mean and standard deviation (OpenAI CLIP preprocessing). */
  static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
  /** Decoded images larger than this many pixels are rejected: a corrupt header must not exhaust memory. */
  static final long MAX_PIXELS = 64L << 20;

  static {
    // The default disk cache makes every ImageIO.read of a byte stream write a temporary file.
    ImageIO.setUseCache(false);
  }

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
    if ((long) image.getWidth() * image.getHeight() > MAX_PIXELS) {
      throw new UndecodableImageException("image of " + image.getWidth() + "×" + image.getHeight() + " pixels is too large", null);
    }
    return image;
  }

  /** The encoder views of an encoded image, each CHW normalised. */
  public float[][] preprocess(byte[] encoded) throws UndecodableImageException {
    return preprocess(decode(encoded));
  }

  /** The encoder views of a decoded image, each CHW normalised. */
  public float[][] preprocess(BufferedImage image) {
    Planes source = Planes.of(image);
    if (!subImages) {
      return new float[][] {normalise(source.resizeAndCrop(resolution))};
    }
    Planes large = source.resizeAndCrop(2 * resolution);
    float[][] views = new float[5][];
    int view = 0;
    for (int row = 0; row < 2; row++) {
      for (int column = 0; column < 2; column++) {
        views[view++] = normalise(large.crop(column * resolution, row * resolution, resolution));
      }
    }
    views[4] = normalise(large.resizeAndCrop(resolution));
    return views;
  }

  /** (v / 255 − mean) / std per channel, in place. */
  private static float[] normalise(Planes square) {
    float[] chw = square.values;
    int plane = square.width * square.height;
    for (int c = 0; c < 3; c++) {
      float scale = 1f / (255f * STD[c]);
      float shift = MEAN[c] / STD[c];
      for (int i = c * plane, end = i + plane; i < end; i++) {
        chw[i] = chw[i] * scale - shift;
      }
    }
    return chw;
  }

  /** An RGB image as three float planes of 0..255 values (CHW). */
  static final class Planes {
    final int width;
    final int height;
    final float[] values;

    Planes(int width, int height, float[] values) {
      this.width = width;
      this.height = height;
      this.values = values;
    }

    /** Reads the pixels, with fast paths for the layouts PNG and JPEG decoders produce; alpha is composited on white. */
    static Planes of(BufferedImage image) {
      int width = image.getWidth();
      int height = image.getHeight();
      int plane = width * height;
      float[] chw = new float[3 * plane];
      switch (image.getType()) {
        case BufferedImage.TYPE_3BYTE_BGR -> {
          byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
          for (int i = 0; i < plane; i++) {
            chw[i] = bgr[3 * i + 2] & 0xff;
            chw[plane + i] = bgr[3 * i + 1] & 0xff;
            chw[2 * plane + i] = bgr[3 * i] & 0xff;
          }
        }
        case BufferedImage.TYPE_INT_RGB -> {
          if (image.getRaster().getParent() == null) {
            int[] rgb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < plane; i++) {
              chw[i] = (rgb[i] >> 16) & 0xff;
              chw[plane + i] = (rgb[i] >> 8) & 0xff;
              chw[2 * plane + i] = rgb[i] & 0xff;
            }
          } else {
            generic(image, chw);
          }
        }
        case BufferedImage.TYPE_BYTE_GRAY -> {
          byte[] gray = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
          for (int i = 0; i < plane; i++) {
            chw[i] = chw[plane + i] = chw[2 * plane + i] = gray[i] & 0xff;
          }
        }
        default -> generic(image, chw);
      }
      return new Planes(width, height, chw);
    }

    private static void generic(BufferedImage image, float[] chw) {
      int width = image.getWidth();
      int plane = width * image.getHeight();
      int[] row = new int[width];
      for (int y = 0; y < image.getHeight(); y++) {
        image.getRGB(0, y, width, 1, row, 0, width);
        for (int x = 0; x < width; x++) {
          int argb = row[x];
          float alpha = ((argb >>> 24) & 0xff) / 255f;
          float white = 255 * (1 - alpha);
          int i = y * width + x;
          chw[i] = ((argb >> 16) & 0xff) * alpha + white;
          chw[plane + i] = ((argb >> 8) & 0xff) * alpha + white;
          chw[2 * plane + i] = (argb & 0xff) * alpha + white;
        }
      }
    }

    /** Scales the shorter side to {@code side} and keeps the centre square. */
    Planes resizeAndCrop(int side) {
      double scale = (double) side / Math.min(width, height);
      int scaledWidth = Math.max(side, (int) Math.round(width * scale));
      int scaledHeight = Math.max(side, (int) Math.round(height * scale));
      Filter horizontal = Filter.of(width, scale, (scaledWidth - side) / 2, side);
      Filter vertical = Filter.of(height, scale, (scaledHeight - side) / 2, side);
      // Horizontal pass over every source row, then the vertical pass for the kept rows.
      float[] rows = new float[3 * height * side];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < height; y++) {
          int in = c * width * height + y * width;
          int out = c * height * side + y * side;
          for (int x = 0; x < side; x++) {
            rows[out + x] = horizontal.apply(values, in, 1, x);
          }
        }
      }
      // Row by row, so that both passes read memory in order.
      float[] result = new float[3 * side * side];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < side; y++) {
          int out = c * side * side + y * side;
          for (int k = 0; k < vertical.count()[y]; k++) {
            float weight = vertical.weights()[y * vertical.stride() + k];
            int in = c * height * side + (vertical.first()[y] + k) * side;
            for (int x = 0; x < side; x++) {
              result[out + x] += weight * rows[in + x];
            }
          }
        }
      }
      return new Planes(side, side, result);
    }

    /** The square of {@code side} at (x, y). */
    Planes crop(int x0, int y0, int side) {
      float[] result = new float[3 * side * side];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < side; y++) {
          System.arraycopy(values, c * width * height + (y0 + y) * width + x0, result, c * side * side + y * side, side);
        }
      }
      return new Planes(side, side, result);
    }
  }

  /** Triangle-filter weights of every output position of one axis: a contiguous input window each. */
  private record Filter(int[] first, int[] count, float[] weights, int stride) {

    static Filter of(int inSize, double scale, int offset, int outSize) {
      double support = scale < 1 ? 1 / scale : 1; // widen the filter when shrinking, so that every input pixel counts
      int stride = (int) Math.ceil(2 * support) + 2;
      int[] first = new int[outSize];
      int[] count = new int[outSize];
      float[] weights = new float[outSize * stride];
      for (int o = 0; o < outSize; o++) {
        double centre = (o + offset + 0.5) / scale;
        int lo = Math.max(0, (int) Math.floor(centre - support));
        int hi = Math.min(inSize, (int) Math.ceil(centre + support));
        double total = 0;
        int n = 0;
        for (int i = lo; i < hi && n < stride; i++, n++) {
          double w = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
          weights[o * stride + n] = (float) w;
          total += w;
        }
        if (total == 0) { // the centre lies outside the image: use the nearest edge pixel
          lo = Math.min(inSize - 1, Math.max(0, (int) centre));
          n = 1;
          weights[o * stride] = 1;
          total = 1;
        }
        for (int k = 0; k < n; k++) {
          weights[o * stride + k] /= (float) total;
        }
        first[o] = lo;
        count[o] = n;
      }
      return new Filter(first, count, weights, stride);
    }

    /** Weighted sum for output {@code o} of the values at {@code base + step·i}. */
    float apply(float[] values, int base, int step, int o) {
      float sum = 0;
      int w = o * stride;
      int index = base + first[o] * step;
      for (int k = 0; k < count[o]; k++, index += step) {
        sum += weights[w + k] * values[index];
      }
      return sum;
    }
  }
}
