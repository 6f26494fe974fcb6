package dev.mm1.trainer.data.synth;

import dev.mm1.trainer.data.synth.Scene.Colour;
import dev.mm1.trainer.data.synth.Scene.SceneObject;
import dev.mm1.trainer.data.synth.Scene.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes true text about scenes: short alt-text captions, dense "synthetic" captions (MM1's VeCap
 * style), reference captions, VQA questions with their answers, and conversations. Everything is
 * computed from the scene, never made up, so that a model can learn it.
 */
public final class SceneDescriber {
  private static final String[] NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

  /** VQAv2 answer types. */
  public enum AnswerType {
    YES_NO("yes/no"), NUMBER("number"), OTHER("other");

    public final String label;

    AnswerType(String label) {
      this.label = label;
    }
  }

  /** A question about a scene with its true answer; {@code questionType} follows VQAv2 ("how many", "is there a"). */
  public record Question(String text, String answer, AnswerType answerType, String questionType) {}

  private SceneDescriber() {}

  static String numberWord(long n) {
    return n < NUMBER_WORDS.length ? NUMBER_WORDS[(int) n] : Long.toString(n);
  }

  static String article(String noun) {
    return "aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " + noun : "a " + noun;
  }

  static String capitalise(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  static String joinAnd(List<String> items) {
    if (items.size() == 1) {
      return items.getFirst();
    }
    return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.getLast();
  }

  /** A short alt-text-style caption, as image-caption pairs from the web are: "a red circle and a small blue square". */
  public static String altText(Scene scene, SplittableRandom random) {
    List<String> names = new ArrayList<>();
    boolean sizes = random.nextBoolean();
    for (SceneObject o : scene.objects()) {
      names.add(article(sizes ? o.fullName() : o.name()));
    }
    int count = scene.objects().size();
    return switch (random.nextInt(4)) {
      case 0 -> joinAnd(names);
      case 1 -> count == 1 ? "one shape: " + names.getFirst() : numberWord(count) + " shapes: " + joinAnd(names);
      case 2 -> joinAnd(names) + " on a plain background";
      default -> "picture of " + joinAnd(names);
    };
  }

  /** Where each object is: "a large red circle in the top left". */
  static String placed(SceneObject o) {
    return article(o.fullName()) + (o.place().equals("centre") ? " in the centre" : " at the " + o.place());
  }

  /** How {@code a} lies relative to {@code b}: "above and to the left of", or null when in the same cell (never). */
  static String relation(SceneObject a, SceneObject b) {
    String vertical = a.row() < b.row() ? "above" : a.row() > b.row() ? "below" : "";
    String horizontal = a.column() < b.column() ? "to the left of" : a.column() > b.column() ? "to the right of" : "";
    if (vertical.isEmpty()) {
      return horizontal;
    }
    return horizontal.isEmpty() ? vertical : vertical + " and " + horizontal;
  }

  /** A dense, complete description (MM1's synthetic VeCap captions): count, every object with size and place, relations. */
  public static String denseCaption(Scene scene) {
    List<SceneObject> objects = scene.objects();
    StringBuilder text = new StringBuilder();
    int count = objects.size();
    text.append(count == 1 ? "The image shows one shape. " : "The image shows " + numberWord(count) + " shapes. ");
    for (SceneObject o : objects) {
      text.append(capitalise(placed(o))).append(". ");
    }
    for (int i = 0; i + 1 < count; i++) {
      SceneObject a = objects.get(i);
      SceneObject b = objects.get(i + 1);
      text.append("The ").append(a.name()).append(" is ").append(relation(a, b)).append(" the ").append(b.name()).append(". ");
    }
    return text.toString().trim();
  }

  /** Five different true reference captions, as COCO has per image. */
  public static List<String> referenceCaptions(Scene scene, SplittableRandom random) {
    List<SceneObject> objects = scene.objects();
    List<String> names = objects.stream().map(o -> article(o.name())).toList();
    List<String> full = objects.stream().map(o -> article(o.fullName())).toList();
    List<String> places = objects.stream().map(SceneDescriber::placed).toList();
    int count = objects.size();
    String shapes = count == 1 ? "one shape" : numberWord(count) + " shapes";
    List<String> references = new ArrayList<>();
    references.add(capitalise(joinAnd(names)) + ".");
    references.add(capitalise(joinAnd(full)) + ".");
    references.add("An image with " + shapes + ": " + joinAnd(places) + ".");
    references.add(capitalise(shapes) + " on a plain background, " + joinAnd(reversed(names)) + ".");
    SceneObject first = objects.get(random.nextInt(count));
    references.add(count == 1 ? capitalise(placed(first)) + " on its own."
        : capitalise(placed(first)) + " and " + numberWord(count - 1) + " other " + (count == 2 ? "shape" : "shapes") + ".");
    return references;
  }

  private static List<String> reversed(List<String> items) {
    return items.reversed();
  }

  /** A question of a random kind with its true answer. */
  public static Question question(Scene scene, SplittableRandom random) {
    return switch (random.nextInt(3)) {
      case 0 -> yesNoQuestion(scene, random);
      case 1 -> numberQuestion(scene, random);
      default -> otherQuestion(scene, random);
    };
  }

  /** A yes/no question; "yes" and "no" are equally likely. */
  public static Question yesNoQuestion(Scene scene, SplittableRandom random) {
    List<SceneObject> objects = scene.objects();
    if (objects.size() >= 2 && random.nextBoolean()) {
      SceneObject a = objects.get(random.nextInt(objects.size()));
      SceneObject b = objects.get(random.nextInt(objects.size()));
      if (a != b && a.column() != b.column()) {
        boolean left = a.column() < b.column();
        return new Question("Is the " + a.name() + " to the left of the " + b.name() + "?", left ? "yes" : "no",
            AnswerType.YES_NO, "is the");
      }
    }
    boolean present = random.nextBoolean();
    if (present) {
      SceneObject o = objects.get(random.nextInt(objects.size()));
      return new Question("Is there " + article(o.name()) + "?", "yes", AnswerType.YES_NO, "is there a");
    }
    while (true) {
      Shape shape = Scene.pick(random, Shape.values());
      Colour colour = Scene.pick(random, Colour.values());
      if (objects.stream().noneMatch(o -> o.shape() == shape && o.colour() == colour)) {
        return new Question("Is there " + article(colour.word + " " + shape.word) + "?", "no", AnswerType.YES_NO,
            "is there a");
      }
    }
  }

  /** A counting question. */
  public static Question numberQuestion(Scene scene, SplittableRandom random) {
    return switch (random.nextInt(3)) {
      case 0 -> new Question("How many shapes are there?", Integer.toString(scene.objects().size()), AnswerType.NUMBER,
          "how many");
      case 1 -> {
        Colour colour = Scene.pick(random, Colour.values());
        yield new Question("How many " + colour.word + " shapes are there?", Long.toString(scene.count(colour)),
            AnswerType.NUMBER, "how many");
      }
      default -> {
        Shape shape = Scene.pick(random, Shape.values());
        yield new Question("How many " + shape.plural + " are there?", Long.toString(scene.count(shape)),
            AnswerType.NUMBER, "how many");
      }
    };
  }

  /** A colour, shape or place question about an object the question names unambiguously. */
  public static Question otherQuestion(Scene scene, SplittableRandom random) {
    List<SceneObject> objects = scene.objects();
    SceneObject o = objects.get(random.nextInt(objects.size()));
    int kind = random.nextInt(3);
    if (kind == 0 && scene.count(o.shape()) == 1) {
      return new Question("What colour is the " + o.shape().word + "?", o.colour().word, AnswerType.OTHER,
          "what color is the");
    }
    if (kind == 1 && scene.count(o.colour()) == 1) {
      return new Question("What shape is the " + o.colour().word + " object?", o.shape().word, AnswerType.OTHER,
          "what shape is the");
    }
    return new Question("Where is the " + o.name() + "?", o.place(), AnswerType.OTHER, "where is the");
  }

  /**
   * Ten annotator answers for a question, as VQAv2 has: mostly the canonical answer, with the
   * variants people write (a number word for a digit, an article before a noun).
   */
  public static List<String> annotatorAnswers(Question question, SplittableRandom random) {
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String answer = question.answer();
      if (random.nextInt(10) < 2) {
        answer = switch (question.answerType()) {
          case NUMBER -> numberWord(Long.parseLong(answer));
          case OTHER -> question.questionType().equals("where is the") ? "the " + answer : answer;
          case YES_NO -> answer;
        };
      }
      answers.add(answer);
    }
    return answers;
  }

  /** The assistant's reply in a conversation: the short answer as a sentence. */
  static String spokenAnswer(Question question) {
    return capitalise(question.answer()) + ".";
  }
}
