package dev.mm1.evaluator.data;

/**
 * The id of an image or question as the public JSON files write it: an integer (COCO, VQAv2) or a
 * string (TextCaps, VizWiz). An integer id and a string id never match, as in the official
 * Python scorers.
 *
 * @param text the id's digits or characters
 * @param numeric whether the JSON held a number
 */
public record ItemId(String text, boolean numeric) {
  public static ItemId ofNumber(String digits) {
    return new ItemId(digits, true);
  }

  public static ItemId ofText(String text) {
    return new ItemId(text, false);
  }

  /** As the JSON writes it: 42 or "abc". */
  @Override
  public String toString() {
    return numeric ? text : '"' + text + '"';
  }
}
