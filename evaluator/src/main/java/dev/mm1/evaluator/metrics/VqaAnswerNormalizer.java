package dev.mm1.evaluator.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The answer normalisation of the official VQA evaluation ({@code vqaEval.py} of
 * GT-Vision-Lab/VQA, which runs on Python 2.7), quirks included:
 *
 * <ul>
 *   <li>punctuation: each of {@code ; / [ ] " { } ( ) = + \ _ - > < @ ` , ? !} is deleted when the
 *       original text has it next to a space, or has a digit-comma-digit anywhere, and replaced by a
 *       space otherwise; then periods not followed by a digit are deleted, at most 32 of them (the
 *       flag {@code re.UNICODE} lands in {@code re.sub}'s count argument);
 *   <li>digits and articles: lower-cased (Python 2, one character to one), split on whitespace,
 *       number words "none", "zero" ... "ten" become digits, "a", "an", "the" are dropped, and
 *       spellings without an apostrophe become contractions ("dont" to "don't"), from the
 *       original's table, which also maps "somebody'd" to "somebodyd" and never matches its
 *       capitalised keys ("Im") because the words are already lower-cased.
 * </ul>
 */
public final class VqaAnswerNormalizer {
  private static final List<String> PUNCTUATION = List.of(
      ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!");
  private static final Pattern DIGIT_COMMA_DIGIT = Pattern.compile("[0-9],[0-9]");
  /** "(?!<=\\d)(\\.)(?!\\d)": the first look-ahead never applies, so: a period not followed by a digit. */
  private static final Pattern PERIOD = Pattern.compile("\\.(?![0-9])");
  private static final int PERIOD_REPLACEMENTS = 32;
  private static final Map<String, String> NUMBERS = Map.ofEntries(
      Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
      Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
      Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
  private static final Set<String> ARTICLES = Set.of("a", "an", "the");
  private static final Map<String, String> CONTRACTIONS = pairs(
      "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've",
      "couldnt", "couldn't", "couldn'tve", "couldn't've", "couldnt've", "couldn't've", "didnt", "didn't",
      "doesnt", "doesn't", "dont", "don't", "hadnt", "hadn't", "hadnt've", "hadn't've",
      "hadn'tve", "hadn't've", "hasnt", "hasn't", "havent", "haven't", "hed", "he'd",
      "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's", "howd", "how'd",
      "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've",
      "Im", "I'm", "Ive", "I've", "isnt", "isn't", "itd", "it'd",
      "itd've", "it'd've", "it'dve", "it'd've", "itll", "it'll", "let's", "let's",
      "maam", "ma'am", "mightnt", "mightn't", "mightnt've", "mightn't've", "mightn'tve", "mightn't've",
      "mightve", "might've", "mustnt", "mustn't", "mustve", "must've", "neednt", "needn't",
      "notve", "not've", "oclock", "o'clock", "oughtnt", "oughtn't", "ow's'at", "'ow's'at",
      "'ows'at", "'ow's'at", "'ow'sat", "'ow's'at", "shant", "shan't", "shed've", "she'd've",
      "she'dve", "she'd've", "she's", "she's", "shouldve", "should've", "shouldnt", "shouldn't",
      "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've", "somebody'd", "somebodyd", "somebodyd've", "somebody'd've",
      "somebody'dve", "somebody'd've", "somebodyll", "somebody'll", "somebodys", "somebody's", "someoned", "someone'd",
      "someoned've", "someone'd've", "someone'dve", "someone'd've", "someonell", "someone'll", "someones", "someone's",
      "somethingd", "something'd", "somethingd've", "something'd've", "something'dve", "something'd've", "somethingll", "something'll",
      "thats", "that's", "thered", "there'd", "thered've", "there'd've", "there'dve", "there'd've",
      "therere", "there're", "theres", "there's", "theyd", "they'd", "theyd've", "they'd've",
      "they'dve", "they'd've", "theyll", "they'll", "theyre", "they're", "theyve", "they've",
      "twas", "'twas", "wasnt", "wasn't", "wed've", "we'd've", "we'dve", "we'd've",
      "weve", "we've", "werent", "weren't", "whatll", "what'll", "whatre", "what're",
      "whats", "what's", "whatve", "what've", "whens", "when's", "whered", "where'd",
      "wheres", "where's", "whereve", "where've", "whod", "who'd", "whod've", "who'd've",
      "who'dve", "who'd've", "wholl", "who'll", "whos", "who's", "whove", "who've",
      "whyll", "why'll", "whyre", "why're", "whys", "why's", "wont", "won't",
      "wouldve", "would've", "wouldnt", "wouldn't", "wouldnt've", "wouldn't've", "wouldn'tve", "wouldn't've",
      "yall", "y'all", "yall'll", "y'all'll", "y'allll", "y'all'll", "yall'd've", "y'all'd've",
      "y'alld've", "y'all'd've", "y'all'dve", "y'all'd've", "youd", "you'd", "youd've", "you'd've",
      "you'dve", "you'd've", "youll", "you'll", "youre", "you're", "youve", "you've");

  private VqaAnswerNormalizer() {}

  /** {@code processPunctuation}. */
  static String punctuation(String text) {
    boolean digitCommaDigit = DIGIT_COMMA_DIGIT.matcher(text).find();
    String out = text;
    for (String mark : PUNCTUATION) {
      // The test looks at the text as it came in, not as the loop has changed it.
      if (text.contains(mark + " ") || text.contains(" " + mark) || digitCommaDigit) {
        out = out.replace(mark, "");
      } else {
        out = out.replace(mark, " ");
      }
    }
    var matcher = PERIOD.matcher(out);
    StringBuilder stripped = new StringBuilder();
    int replaced = 0;
    while (replaced < PERIOD_REPLACEMENTS && matcher.find()) {
      matcher.appendReplacement(stripped, "");
      replaced++;
    }
    matcher.appendTail(stripped);
    return stripped.toString();
  }

  /** {@code processDigitArticle}. */
  static String digitsAndArticles(String text) {
    List<String> words = new ArrayList<>();
    for (String word : PythonText.PYTHON2.split(PythonText.PYTHON2.lower(text))) {
      word = NUMBERS.getOrDefault(word, word);
      if (!ARTICLES.contains(word)) {
        words.add(CONTRACTIONS.getOrDefault(word, word));
      }
    }
    return String.join(" ", words);
  }

  /** Both steps, as the evaluation applies them to answers when the ten human answers differ. */
  public static String normalize(String answer) {
    return digitsAndArticles(punctuation(answer));
  }

  /** The cleaning every answer gets: newlines and tabs to spaces, then Python 2's {@code strip()}. */
  public static String clean(String answer) {
    return PythonText.PYTHON2.strip(answer.replace('\n', ' ').replace('\t', ' '));
  }

  private static Map<String, String> pairs(String... keysAndValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Map.copyOf(map);
  }
}
