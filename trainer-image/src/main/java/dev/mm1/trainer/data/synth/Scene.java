package dev.mm1.trainer.data.synth;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A shapes-world scene: one to four objects on a 3×3 grid, no two in the same cell and no two
 * with the same colour and shape, so that "the red circle" always names exactly one object and
 * every caption and answer about the scene is true.
 *
 * @param objects the objects, in drawing order
 */
public record Scene(List<SceneObject> objects) {
  /** Most objects in one scene. */
  public static final int MAX_OBJECTS = 4;

  /** Shapes of the world. */
  public enum Shape {
    CIRCLE("circle", "circles"), SQUARE("square", "squares"), TRIANGLE("triangle", "triangles"),
    DIAMOND("diamond", "diamonds");

    public final String word;
    public final String plural;

    Shape(String word, String plural) {
      this.word = word;
      this.plural = plural;
    }
  }

  /** Colours of the world, chosen to be far apart after JPEG compression and resizing. */
  public enum Colour {
    RED("red", new Color(220, 30, 30)), GREEN("green", new Color(30, 170, 50)),
    BLUE("blue", new Color(30, 70, 220)), YELLOW("yellow", new Color(240, 210, 20)),
    PURPLE("purple", new Color(140, 40, 170)), ORANGE("orange", new Color(250, 130, 20));

    public final String word;
    public final Color rgb;

    Colour(String word, Color rgb) {
      this.word = word;
      this.rgb = rgb;
    }
  }

  /** Object sizes relative to a grid cell. */
  public enum Size {
    SMALL("small", 0.45), LARGE("large", 0.85);

    public final String word;
    public final double fractionOfCell;

    Size(String word, double fractionOfCell) {
      this.word = word;
      this.fractionOfCell = fractionOfCell;
    }
  }

  /**
   * One object. {@code row} 0 is the top, {@code column} 0 the left; the jitter moves it inside its
   * cell without changing where it is said to be.
   */
  public record SceneObject(Shape shape, Colour colour, Size size, int row, int column, double jitterX, double jitterY) {

    /** "red circle" */
    public String name() {
      return colour.word + " " + shape.word;
    }

    /** "small red circle" */
    public String fullName() {
      return size.word + " " + colour.word + " " + shape.word;
    }

    /** Where it is: "top left", "top", "centre", "bottom right", … */
    public String place() {
      String vertical = switch (row) {
        case 0 -> "top";
        case 1 -> "";
        default -> "bottom";
      };
      String horizontal = switch (column) {
        case 0 -> "left";
        case 1 -> "";
        default -> "right";
      };
      if (vertical.isEmpty() && horizontal.isEmpty()) {
        return "centre";
      }
      return (vertical + " " + horizontal).trim();
    }

    SceneObject withColour(Colour newColour) {
      return new SceneObject(shape, newColour, size, row, column, jitterX, jitterY);
    }

    SceneObject movedTo(int newRow, int newColumn) {
      return new SceneObject(shape, colour, size, newRow, newColumn, jitterX, jitterY);
    }
  }

  public Scene {
    objects = List.copyOf(objects);
  }

  /** A random scene of 1 to {@link #MAX_OBJECTS} objects. */
  public static Scene random(SplittableRandom random) {
    return random(random, 1 + random.nextInt(MAX_OBJECTS));
  }

  /** A random scene with exactly {@code count} objects. */
  public static Scene random(SplittableRandom random, int count) {
    List<SceneObject> objects = new ArrayList<>();
    while (objects.size() < count) {
      SceneObject candidate = randomObject(random, objects);
      if (candidate != null) {
        objects.add(candidate);
      }
    }
    return new Scene(objects);
  }

  /** A new object that fits beside {@code existing} (free cell, new colour+shape), or null when the draw collided. */
  static SceneObject randomObject(SplittableRandom random, List<SceneObject> existing) {
    Shape shape = pick(random, Shape.values());
    Colour colour = pick(random, Colour.values());
    int row = random.nextInt(3);
    int column = random.nextInt(3);
    for (SceneObject other : existing) {
      if ((other.row == row && other.column == column) || (other.shape == shape && other.colour == colour)) {
        return null;
      }
    }
    Size size = pick(random, Size.values());
    double slack = (1 - size.fractionOfCell) / 2;
    return new SceneObject(shape, colour, size, row, column,
        (random.nextDouble() * 2 - 1) * slack * 0.8, (random.nextDouble() * 2 - 1) * slack * 0.8);
  }

  static <T> T pick(SplittableRandom random, T[] values) {
    return values[random.nextInt(values.length)];
  }

  /** Objects of a shape. */
  public long count(Shape shape) {
    return objects.stream().filter(o -> o.shape == shape).count();
  }

  /** Objects of a colour. */
  public long count(Colour colour) {
    return objects.stream().filter(o -> o.colour == colour).count();
  }

  /** Whether a free cell exists. */
  boolean isCellFree(int row, int column) {
    return objects.stream().noneMatch(o -> o.row == row && o.column == column);
  }
}
