package dev.mm1.trainer.data.synth;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/** Draws a {@link Scene} with Java2D on a plain light background, anti-aliased. */
public final class SceneRenderer {
  private final int resolution;

  /** @param resolution image side in pixels (images are square); at least 24 so small shapes stay visible */
  public SceneRenderer(int resolution) {
    if (resolution < 24 || resolution > 4096) {
      throw new IllegalArgumentException("resolution must be 24..4096 pixels, got " + resolution);
    }
    this.resolution = resolution;
  }

  public int resolution() {
    return resolution;
  }

  /**
   * @param background grey level of the background, 200..255 (varied so that models do not rely on
   *     one exact background colour; it is never described)
   */
  public BufferedImage render(Scene scene, int background) {
    BufferedImage image = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setColor(new Color(background, background, background));
      g.fillRect(0, 0, resolution, resolution);
      double cell = resolution / 3.0;
      for (Scene.SceneObject object : scene.objects()) {
        double side = cell * object.size().fractionOfCell;
        double centreX = cell * (object.column() + 0.5 + object.jitterX());
        double centreY = cell * (object.row() + 0.5 + object.jitterY());
        g.setColor(object.colour().rgb);
        draw(g, object.shape(), centreX, centreY, side);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void draw(Graphics2D g, Scene.Shape shape, double cx, double cy, double side) {
    double half = side / 2;
    switch (shape) {
      case CIRCLE -> g.fill(new Ellipse2D.Double(cx - half, cy - half, side, side));
      case SQUARE -> g.fill(new Rectangle2D.Double(cx - half, cy - half, side, side));
      case TRIANGLE -> g.fill(polygon(new double[] {cx, cx + half, cx - half}, new double[] {cy - half, cy + half, cy + half}));
      case DIAMOND -> g.fill(polygon(new double[] {cx, cx + half, cx, cx - half}, new double[] {cy - half, cy, cy + half, cy}));
    }
  }

  private static Polygon polygon(double[] xs, double[] ys) {
    Polygon polygon = new Polygon();
    for (int i = 0; i < xs.length; i++) {
      polygon.addPoint((int) Math.round(xs[i]), (int) Math.round(ys[i]));
    }
    return polygon;
  }
}
