package dev.mm1.trainer.data.synth;

import dev.mm1.trainer.data.synth.Scene.Colour;
import dev.mm1.trainer.data.synth.Scene.SceneObject;
import dev.mm1.trainer.data.synth.Scene.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The multi-scene and text-only documents of the shapes world: interleaved "what changed"
 * stories over 2–6 scenes, and text documents about colours, shapes, counting and spatial
 * relations.
 */
public final class WorldStories {
  private WorldStories() {}

  /** One entry of an interleaved document: text, or the index of an image in {@code scenes}. */
  public record Entry(String text, Integer image) {
    static Entry text(String text) {
      return new Entry(text, null);
    }

    static Entry image(int index) {
      return new Entry(null, index);
    }
  }

  /** An interleaved document: its scenes and the ordered text and image entries that refer to them. */
  public record Story(List<Scene> scenes, List<Entry> entries) {}

  /** A story of {@code length} scenes (2–6), each one change away from the last. */
  public static Story story(SplittableRandom random, int length) {
    List<Scene> scenes = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    Scene scene = Scene.random(random);
    scenes.add(scene);
    entries.add(Entry.text(SceneDescriber.capitalise(openingLine(scene.objects().size(), random))));
    entries.add(Entry.image(0));
    entries.add(Entry.text(SceneDescriber.denseCaption(scene)));
    for (int i = 1; i < length; i++) {
      Change change = change(scene, random);
      scene = change.after();
      scenes.add(scene);
      entries.add(Entry.text("Next, " + change.description() + "."));
      entries.add(Entry.image(i));
      int count = scene.objects().size();
      entries.add(Entry.text("Now there " + (count == 1 ? "is one shape" : "are " + SceneDescriber.numberWord(count) + " shapes")
          + ": " + SceneDescriber.joinAnd(scene.objects().stream().map(SceneDescriber::placed).toList()) + "."));
    }
    return new Story(scenes, entries);
  }

  private static String openingLine(int count, SplittableRandom random) {
    String shapes = count == 1 ? "one shape" : SceneDescriber.numberWord(count) + " shapes";
    return switch (random.nextInt(3)) {
      case 0 -> "here is a picture of " + shapes + ".";
      case 1 -> "this sequence starts with " + shapes + ".";
      default -> "we begin with " + shapes + " on a plain background.";
    };
  }

  private record Change(Scene after, String description) {}

  private static Change change(Scene scene, SplittableRandom random) {
    List<SceneObject> objects = new ArrayList<>(scene.objects());
    while (true) {
      int kind = random.nextInt(4);
      if (kind == 0 && objects.size() < Scene.MAX_OBJECTS) {
        SceneObject added = Scene.randomObject(random, objects);
        if (added != null) {
          objects.add(added);
          return new Change(new Scene(objects), SceneDescriber.placed(added) + " appears");
        }
      } else if (kind == 1 && objects.size() > 1) {
        SceneObject removed = objects.remove(random.nextInt(objects.size()));
        return new Change(new Scene(objects), "the " + removed.name() + " disappears");
      } else if (kind == 2) {
        int index = random.nextInt(objects.size());
        SceneObject old = objects.get(index);
        Colour colour = Scene.pick(random, Colour.values());
        if (colour != old.colour() && objects.stream().noneMatch(o -> o.shape() == old.shape() && o.colour() == colour)) {
          objects.set(index, old.withColour(colour));
          return new Change(new Scene(objects), "the " + old.name() + " turns " + colour.word);
        }
      } else if (kind == 3) {
        int index = random.nextInt(objects.size());
        int row = random.nextInt(3);
        int column = random.nextInt(3);
        if (scene.isCellFree(row, column)) {
          SceneObject moved = objects.get(index).movedTo(row, column);
          objects.set(index, moved);
          String where = moved.place().equals("centre") ? "the centre" : "the " + moved.place();
          return new Change(new Scene(objects), "the " + moved.name() + " moves to " + where);
        }
      }
    }
  }

  /** A text-only document of several true paragraphs about the world. */
  public static String textDocument(SplittableRandom random) {
    List<String> paragraphs = new ArrayList<>();
    int count = 3 + random.nextInt(4);
    for (int i = 0; i < count; i++) {
      paragraphs.add(switch (random.nextInt(5)) {
        case 0 -> shapeFact(random);
        case 1 -> countingFact(random);
        case 2 -> "Imagine a picture. " + SceneDescriber.denseCaption(Scene.random(random));
        case 3 -> relationFact(random);
        default -> colourFact(random);
      });
    }
    return String.join("\n\n", paragraphs);
  }

  private static String shapeFact(SplittableRandom random) {
    return switch (Scene.pick(random, Shape.values())) {
      case CIRCLE -> "A circle is round and has no corners.";
      case SQUARE -> "A square has four equal sides and four corners.";
      case TRIANGLE -> "A triangle has three sides and three corners. In this world its point is at the top.";
      case DIAMOND -> "A diamond is a square standing on one of its corners, so it has four corners.";
    };
  }

  private static String countingFact(SplittableRandom random) {
    Shape a = Scene.pick(random, Shape.values());
    Shape b = Scene.pick(random, Shape.values());
    int x = 1 + random.nextInt(3);
    int y = 1 + random.nextInt(3);
    String first = SceneDescriber.numberWord(x) + " " + (x == 1 ? a.word : a.plural);
    String second = SceneDescriber.numberWord(y) + " " + (y == 1 ? b.word : b.plural);
    return SceneDescriber.capitalise(first) + " and " + second + " make " + SceneDescriber.numberWord(x + y)
        + " shapes in total. " + x + " plus " + y + " is " + (x + y) + ".";
  }

  private static String relationFact(SplittableRandom random) {
    Scene scene = Scene.random(random, 2);
    SceneObject a = scene.objects().get(0);
    SceneObject b = scene.objects().get(1);
    return "If the " + a.name() + " is " + SceneDescriber.relation(a, b) + " the " + b.name() + ", then the "
        + b.name() + " is " + SceneDescriber.relation(b, a) + " the " + a.name() + ".";
  }

  private static String colourFact(SplittableRandom random) {
    Colour colour = Scene.pick(random, Colour.values());
    List<String> words = new ArrayList<>();
    for (Colour c : Colour.values()) {
      words.add(c.word);
    }
    return SceneDescriber.capitalise(colour.word) + " is one of the " + SceneDescriber.numberWord(words.size())
        + " colours of this world: " + SceneDescriber.joinAnd(words) + ".";
  }
}
