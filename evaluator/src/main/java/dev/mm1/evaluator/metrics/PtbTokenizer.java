package dev.mm1.evaluator.metrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Penn-Treebank-style tokenisation as Stanford CoreNLP 3.4.1's {@code PTBTokenizer} does it with
 * {@code -preserveLines -lowerCase}, which pycocoevalcap runs before BLEU and CIDEr-D. Our own
 * implementation (CoreNLP is GPL and not a dependency): the rules were written from the Penn
 * Treebank conventions and tuned until the output equalled the real tokenizer's on a large set of
 * captions kept as test vectors (evaluator/README.md says how they were made).
 *
 * <p>Like the original it reads the whole text, one caption per line, and looks past the end of a
 * line: whether "etc." or "B." keeps its period can depend on the next caption. It is a scanner
 * that, at each position, takes the longest match of its rules (trailing context included, as the
 * original's JFlex lexer does), earlier rules winning ties. Tokens come out lower-cased, with
 * brackets as {@code -lrb-} etc., quotes as {@code `` '' ` '}, dashes as {@code --}.
 */
public final class PtbTokenizer {
  private static final CharClasses CHARS = CharClasses.load();

  // Character classes (Java regex), from the measured table of the original.
  private static final String SPACE = "[ \\t\\u00A0\\u2000-\\u200A\\u3000]";
  private static final String NEWLINE = "(?:\\r\\n|[\\n\\r\\u000B\\u000C\\u2028\\u2029])";
  private static final String SPACENL = "(?:" + SPACE + "|" + NEWLINE + ")";
  // The rules run on a copy of the text in which every character of a class that no rule names by
  // itself stands for its class (CharClasses.REPRESENTATIVES), which keeps these classes small.
  private static final String LETTER = "[A-Za-z\\u00AD\\u00AA\\u00C0\\u0300]";
  private static final String ALPHA = "[A-Za-z\\u00AA\\u00C0]";
  private static final String DIGIT = "[0-9\\u0660]";
  private static final String ALNUM = "[A-Za-z0-9\\u00AA\\u00C0\\u0660]";
  private static final String UPPER = "[A-Z\\u00C0]";
  private static final String HYPHEN = "[-_\\u058A\\u2010\\u2011]";
  private static final String APOS = "(?:['\\u0092\\u2019]|&apos;)";
  private static final String APOSETC = "(?:['\\u0092\\u2019`\\u0091\\u2018\\u201B]|&apos;)";
  /** Tags: a name, then attributes with quoted values; declarations and processing instructions. */
  private static final String SGML = "<(?:[!?][A-Za-z\\-][^>\\r\\n]*|/[A-Za-z][A-Za-z0-9_:.\\-]*|[A-Za-z][A-Za-z0-9_:.\\-]*"
      + "(?: +[A-Za-z][A-Za-z0-9_:.\\-]*(?: *= *(?:'[^'\\r\\n]*'|\"[^\"\\r\\n]*\"))?)* */?)>";
  private static final String SENTEND = SPACENL + "(?:" + SPACENL + "|" + UPPER + "|" + SGML + ")";
  private static final String WORD = LETTER + "(?:" + LETTER + "|" + DIGIT + ")*(?:[.!?]" + LETTER + "(?:" + LETTER + "|"
      + DIGIT + ")*)*";
  private static final String NUM = DIGIT + "*(?:[.:,\\u00AD\\u066B\\u066C]" + DIGIT + "+)+|" + DIGIT + "+";
  private static final String ACRO_LETTERS = "[A-Za-z](?:\\.[A-Za-z])+";
  private static final String THING_PART = "(?:[dDoOlL]" + APOSETC + ALNUM + ")?" + ALNUM + "+";
  private static final String THING = THING_PART + "(?:" + HYPHEN + THING_PART + ")*";
  private static final String AMPERSAND_NAME = "[A-Z]+(?:(?:[+&]|&amp;)[A-Z]+)+";
  private static final String HYPHENATED_ACRONYM = "[A-Za-z0-9][A-Za-z0-9%.,]*(?:-(?:[A-Za-z0-9]+|" + ACRO_LETTERS + "\\.))+";

  /**
   * Abbreviations whose period stays on the token; before a sentence end the original also emits a
   * separate period (dropped later as punctuation). Spellings: lower case, capitalised or upper case,
   * except where a word of ordinary text would be mistaken for one.
   */
  private static final String ABBREVIATIONS = "(?i:ph|ed)\\.(?i:d)|" + anyCase("al|co|ct|ga|jr|ky|md|mo|rd|rt|sq|sr|va|vt|ala|apr|aug|bhd|cos"
      + "|dak|dec|esq|est|etc|ext|feb|fla|fri|inc|ind|jan|jul|jun|kan|ltd|mar|mon|neb|nev|nov|oct|plc|sep|seq|sys|tel"
      + "|thu|tue|wed|wis|wyo|ariz|assn|bldg|blvd|bros|colo|conn|corp|intl|kans|mich|minn|mont|okla|penn|sept|tenn"
      + "|tues|univ|wisc|calif|bancorp|thurs|cf|dr|ft|lt|mr|ms|mt|ph|st|vs|wm|adj|adm|adv|ave|cie|col|cpl|det|drs|ens"
      + "|gen|gov|hon|jos|maj|mme|mrs|pfc|pvt|rep|rev|sen|sfc|sgt|spc|ste|alex|assoc|asst|atty|brig|capt|cmdr|comdr"
      + "|dept|elec|govs|insp|invt|lieut|messrs|mlle|msgr|natl|pres|prof|profs|reps|sens|supt|supts|attys|treas")
      + "|" + capitalisedOrUpper("az|la|pa|ark|del|ill|ore|tex|mass|miss|wash")
      + "|" + lowerOrCapitalised("pte|pty|ppte|ppty|ptes|ptys|mfg|mtg") + "|a\\.k\\.a|A\\.K\\.A|A\\.k\\.a";
  /** Abbreviations that keep their period only before a number: "no. 5", "fig. 3". */
  private static final String BEFORE_NUMBER = anyCase("ca|fig|figs|prop|no|nos|art|bldg|op|pp");
  /** Capitalised words before which a single letter's period ends a sentence ("plan B. The ..."). */
  private static final String SENTENCE_STARTERS = "A|An|As|At|He|If|In|It|So|We|But|Her|Now|One|Our|She|The|Yet|You"
      + "|Here|Last|Many|More|Once|Some|Such|That|Then|They|This|What|When|About|According|Additionally|After|Earlier"
      + "|However|Other|Since|Their|There|These|While";

  private static final List<Rule> RULES = List.of(
      Rule.of("sgml", SGML, Token::keep),
      Rule.of("soft hyphen", "\\u00AD", text -> "-"),
      Rule.of("dash entity", "&(?:MD|mdash|ndash);|[\\u0096\\u0097\\u2013\\u2014\\u2015]", text -> "--"),
      Rule.of("ampersand entity", "(?i:&amp;)", text -> "&"),
      Rule.of("punctuation entity", "&(?:HT|TL|UR|LR|QC|QL|QR|odq|cdq|#[0-9]+);", Token::keep),
      // A word before 's, 'll, ... ends there; the clitic is the next token.
      Rule.withContext("word before clitic", WORD, APOS + "(?:[msdMSD]|[rR][eE]|[vV][eE]|[lL][lL])(?:[^A-Za-z]|$)",
          Token::word),
      Rule.withContext("word before n't", "[A-Za-z\\u00AD]*[A-MO-Za-mo-z]\\u00AD*", "[nN]" + APOSETC + "[tT]", Token::word),
      // Colloquial pairs the treebank writes as two words: gon na, wan na, got ta, lem me, gim me, can not.
      Rule.withContext("gon na", "(?i:gon|wan)", "(?i:na)(?![A-Za-z])", Token::keep),
      Rule.withContext("got ta", "(?i:got)", "(?i:ta)(?![A-Za-z])", Token::keep),
      Rule.withContext("lem me", "(?i:lem|gim)", "(?i:me)(?![A-Za-z])", Token::keep),
      Rule.withContext("can not", "(?i:can)", "(?i:not)(?![A-Za-z])", Token::keep),
      Rule.of("word", WORD, Token::word),
      Rule.of("programming language", "[cC](?:\\+\\+|#)|[fF]#", Token::keep),
      Rule.withContext("rock 'n' roll", APOS + "[nN]" + APOS + "?", "(?:" + SPACENL + "|$)", Token::keep),
      Rule.of("apostrophe word", "[lLdDjJ]" + APOS + "|Dunkin" + APOS + "|somethin" + APOS
          + "|(?i:ol)" + APOS + "|" + APOS + "(?i:em)|[A-HJ-XZn]" + APOSETC + ALPHA + "{2}" + ALPHA + "*|" + APOS + "[2-9]0[sS]|"
          + APOS + "(?i:till?)|" + ALPHA + "+[aeiouyAEIOUY]" + APOSETC + "[aeiouA-Z]" + ALPHA + "*|" + APOS + "(?i:cause)"
          + "|[cC]" + APOS + "(?:mon|MON)|e'er|s'mores|ev'ry|li'l|nat'l|nor'easter|O" + APOSETC + "o|[yY]" + APOS,
          Token::keep),
      Rule.of("url", "(?i:https?)://[^ \\t\\n\\f\\r\"<>|(){}]+[^ \\t\\n\\f\\r\"<>|.!?(){},-]"
          + "|(?:(?:www\\.(?:[^ \\t\\n\\f\\r\"<>|.!?(){},]+\\.)+[a-zA-Z]{2,4})"
          // ",-_" is a range here, as in the original: no digits, capitals, '@' or ':' in such a domain.
          + "|(?:(?:[^ \\t\\n\\f\\r\"`'<>|.!?(){},-_$]+\\.)+(?:com|net|org|edu)))"
          + "(?:/[^ \\t\\n\\f\\r\"<>|()]+[^ \\t\\n\\f\\r\"<>|.!?(){},-])?", Token::keep),
      Rule.of("email", "(?:&lt;|<)?[a-zA-Z0-9][^ \\t\\n\\f\\r\"<>|()\\u00A0{}]*@(?:[^ \\t\\n\\f\\r\"<>|(){}.\\u00A0]+\\.)*"
          + "(?:[^ \\t\\n\\f\\r\"<>|(){}.\\u00A0]+)(?:&gt;|>)?", Token::keep),
      Rule.of("twitter", "@[a-zA-Z_][a-zA-Z_0-9]*|#" + WORD, Token::keep),
      Rule.withContext("clitic", APOS + "(?:[msdMSD]|[rR][eE]|[vV][eE]|[lL][lL])", "(?:[^A-Za-z]|$)", Token::clitic),
      Rule.of("n't", "[nN]" + APOSETC + "[tT]", text -> "n't"),
      Rule.withContext("'t before is/was", "'[tT]", "(?:[iI][sS]|[wW][aA][sS])(?![A-Za-z])", Token::clitic),
      Rule.of("date", DIGIT + "{1,2}[\\-/]" + DIGIT + "{1,2}[\\-/]" + DIGIT + "{2,4}", Token::keep),
      Rule.of("number", "[\\-+]?(?:" + NUM + ")", Token::word),
      Rule.of("fraction", "(?:" + DIGIT + "{1,4}[- \\u00A0])?" + DIGIT + "{1,4}(?:\\\\?/|\\u2044)" + DIGIT + "{1,4}",
          Token::keep),
      Rule.of("fraction character", "[\\u00BC\\u00BD\\u00BE\\u2153\\u2154]", Token::fraction),
      Rule.of("treebank special", "-(?:RRB|LRB|RCB|LCB|RSB|LSB)-|C\\.D\\.s|pro-|anti-|S(?:&|&amp;)P-500|S(?:&|&amp;)Ls"
          + "|Cap" + APOS + "n|c" + APOS + "est", Token::keep),
      Rule.withContext("decade", APOS + "[0-9][0-9]", SPACENL, Token::keep),
      Rule.of("slashed words", ALNUM + "+(?:-" + ALPHA + "+){0,2}(?:\\\\?/" + ALNUM + "+(?:-" + ALPHA + "+){0,2}){1,2}",
          Token::keep),
      Rule.of("hyphenated", THING, Token::word),
      Rule.of("ampersand name", AMPERSAND_NAME, text -> text.replace("&amp;", "&")),
      Rule.of("hyphenated acronym", HYPHENATED_ACRONYM, Token::keep),
      Rule.of("currency", "[A-Z]*\\$|#", Token::keep),
      Rule.of("currency sign", "[\\u00A2\\u00A3\\u00A4\\u0080\\u20A0\\u20AC]", Token::currency),
      Rule.withContext("abbreviation before a sentence", "(?:" + ABBREVIATIONS + ")\\.", SENTEND, Token::keep),
      Rule.of("abbreviation", "(?:" + ABBREVIATIONS + ")\\.", Token::keep),
      Rule.withContext("abbreviation before a number", "(?:" + BEFORE_NUMBER + ")\\.", SPACENL + "?" + DIGIT,
          Token::keep),
      Rule.of("single letter", "[A-Za-z]\\.", Token::keep),
      Rule.withContext("single letter ending a sentence", "[A-Za-z]",
          "\\." + SPACENL + "+(?:(?:" + SENTENCE_STARTERS + "|" + SENTENCE_STARTERS.toUpperCase(Locale.ROOT)
          + "|Mr\\.|Ms\\.|MR\\.|MS\\.|" + SGML + ")" + SPACENL + ")", Token::keep),
      Rule.of("acronym", ACRO_LETTERS + "\\.", Token::keep),
      Rule.withContext("acronym without period", ACRO_LETTERS, SPACENL, Token::keep),
      Rule.withContext("word before comma", "(?:" + WORD + "|" + THING + "|" + AMPERSAND_NAME + "|" + HYPHENATED_ACRONYM
          + ")\\.", "[,;:\\u3001]", Token::word),
      Rule.of("phone", "(?:\\([0-9]{3}\\)[ \\u00A0]?|(?:\\+\\+?)?(?:[0-9]{2,4}[\\- \\u00A0])?[0-9]{2,4}[\\- \\u00A0/])"
          + "[0-9]{3,4}[\\- \\u00A0]?[0-9]{3,5}|(?:(?:\\+\\+?)?[0-9]{2,4}\\.)?[0-9]{2,4}\\.[0-9]{3,4}\\.[0-9]{3,5}",
          Token::brackets),
      Rule.of("ellipsis", "\\.{3,5}|(?:\\.[ \\u00A0]){2,4}\\.|[\\u0085\\u2026]", text -> "..."),
      Rule.of("marks", "@+|#+|_+", Token::keep),
      Rule.of("asterisks", "\\*+|(?:\\\\\\*){1,3}", Token::keep),
      Rule.of("inner punctuation", "[,;:\\u3001]", Token::keep),
      Rule.of("period", "\\.", Token::keep),
      Rule.of("exclamation", "[?!]+", Token::keep),
      Rule.of("equals", "=", Token::keep),
      Rule.of("slash", "/", Token::keep),
      Rule.of("hyphens", "-+", Token::hyphens),
      Rule.of("duck feet", "<<|>>", Token::keep),
      Rule.of("less than", "<|(?i:&lt;)", text -> "<"),
      Rule.of("greater than", ">|(?i:&gt;)", text -> ">"),
      Rule.withContext("smiley", "[<>]?[:;=][\\-o*']?[()DPdpO\\\\{@|\\[\\]]", "(?:[^A-Za-z]|$)", Token::parentheses),
      // The original's first alternative escapes its bracket, so it only matches a literal "[^x=~<>]".
      Rule.of("asian smiley", "[\\^x=~<>]\\.\\[\\^x=~<>\\]|[\\-\\^x=~<>']_[\\-\\^x=~<>']|\\([\\-\\^x=~<>'][_.]?[\\-\\^x=~<>']\\)",
          Token::brackets),
      Rule.of("bracket", "[()\\[\\]{}]", Token::brackets),
      Rule.of("apostrophes", "''|" + APOS, Token::quote),
      Rule.of("quote", "[`\\u2018-\\u201F\\u0091-\\u0094\\u2039\\u203A\\u00AB\\u00BB]{1,2}", Token::quote),
      // An opening double quote is one followed by what it quotes.
      Rule.withContext("opening double quote", "\"|&quot;", "[^\\s]", text -> "``"),
      Rule.of("double quote", "\"|&quot;", text -> "''"),
      Rule.of("symbol", "[+%&~\\^|\\\\\\u00A7" + CHARS.literalsOf('S') + "]", Token::keep));

  /** Per character of the rules' alphabet, the rules a match can start with it (the rest are not tried). */
  private static final int[][] RULES_BY_FIRST_CHAR = rulesByFirstChar();
  private static final int[] NO_RULES = {};

  private PtbTokenizer() {}

  /**
   * Tokens of each line of {@code text}. Lines end at {@code \n}, {@code \r\n}, {@code \r},
   * U+000B, U+000C, U+2028 and U+2029, as in the original; an empty line gives an empty list.
   */
  public static List<List<String>> tokenizeLines(String text) {
    List<List<String>> lines = new ArrayList<>();
    List<String> line = new ArrayList<>();
    String classes = CHARS.representatives(text);
    Matcher[] matchers = new Matcher[RULES.size()];
    for (int r = 0; r < RULES.size(); r++) {
      matchers[r] = RULES.get(r).pattern.matcher(classes).useTransparentBounds(true).useAnchoringBounds(false);
    }
    int length = text.length();
    int position = 0;
    while (position < length) {
      char c = text.charAt(position);
      if (c == '\r' && position + 1 < length && text.charAt(position + 1) == '\n') {
        lines.add(line);
        line = new ArrayList<>();
        position += 2;
        continue;
      }
      char kind = CHARS.kind(c);
      if (kind == 'n') {
        lines.add(line);
        line = new ArrayList<>();
        position++;
        continue;
      }
      if (c == ' ' || c == '\t') {
        position++;
        continue;
      }
      int bestRule = -1;
      int bestTotal = 0;
      int bestConsumed = 0;
      int[] candidates = RULES_BY_FIRST_CHAR[classes.charAt(position)];
      for (int r : candidates == null ? NO_RULES : candidates) {
        Matcher matcher = matchers[r];
        matcher.region(position, length);
        if (matcher.lookingAt() && matcher.end() - position > bestTotal) {
          bestRule = r;
          bestTotal = matcher.end() - position;
          bestConsumed = matcher.end(1) - position;
        }
      }
      if (bestRule < 0) {
        position++; // a space, or untokenizable (the original deletes it)
        continue;
      }
      String token = RULES.get(bestRule).normalise.apply(text.substring(position, position + bestConsumed));
      if (!token.isEmpty()) {
        // Spaces inside a token (tags, "1 1/2", phone numbers) are written as no-break spaces.
        line.add(token.replace(' ', '\u00A0').toLowerCase(Locale.ROOT));
      }
      position += bestConsumed;
    }
    lines.add(line);
    return lines;
  }

  private static int[][] rulesByFirstChar() {
    int[][] table = new int[0x10000][];
    for (char c : CHARS.alphabet().toCharArray()) {
      List<Integer> rules = new ArrayList<>();
      for (int r = 0; r < RULES.size(); r++) {
        // A rule can start with c when it matches c alone or needs more input to decide.
        Matcher matcher = RULES.get(r).pattern.matcher(String.valueOf(c));
        if (matcher.lookingAt() || matcher.hitEnd()) {
          rules.add(r);
        }
      }
      table[c] = rules.stream().mapToInt(Integer::intValue).toArray();
    }
    return table;
  }

  private static String anyCase(String alternatives) {
    StringBuilder out = new StringBuilder();
    for (String word : alternatives.split("\\|")) {
      append(out, word, word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1), word.toUpperCase(Locale.ROOT));
    }
    return out.toString();
  }

  private static String capitalisedOrUpper(String alternatives) {
    StringBuilder out = new StringBuilder();
    for (String word : alternatives.split("\\|")) {
      append(out, word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1), word.toUpperCase(Locale.ROOT));
    }
    return out.toString();
  }

  private static String lowerOrCapitalised(String alternatives) {
    StringBuilder out = new StringBuilder();
    for (String word : alternatives.split("\\|")) {
      append(out, word, word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1));
    }
    return out.toString();
  }

  private static void append(StringBuilder out, String... spellings) {
    for (String spelling : spellings) {
      // Longer alternatives first would not matter here: every alternative is followed by "\.".
      out.append(out.isEmpty() ? "" : "|").append(spelling);
    }
  }

  /** One lexer rule: a pattern (group 1 is what it consumes; the rest is trailing context) and its token. */
  private record Rule(String name, Pattern pattern, Function<String, String> normalise) {
    static Rule of(String name, String regex, Function<String, String> normalise) {
      return new Rule(name, Pattern.compile("(" + regex + ")"), normalise);
    }

    static Rule withContext(String name, String regex, String context, Function<String, String> normalise) {
      return new Rule(name, Pattern.compile("(" + regex + ")(?:" + context + ")"), normalise);
    }
  }

  /** The text a rule's match becomes, before lower-casing. */
  private static final class Token {
    private Token() {}

    static String keep(String text) {
      return text;
    }

    /** Soft hyphens vanish from words and numbers. */
    static String word(String text) {
      return text.indexOf('\u00AD') < 0 ? text : text.replace("\u00AD", "");
    }

    /** Clitics and apostrophe words: curly and HTML apostrophes become straight ones. */
    static String clitic(String text) {
      return text.replace("&apos;", "'").replace('\u2019', '\'').replace('\u0092', '\'');
    }

    static String fraction(String text) {
      return switch (text.charAt(0)) {
        case '\u00BC' -> "1/4";
        case '\u00BD' -> "1/2";
        case '\u00BE' -> "3/4";
        case '\u2153' -> "1/3";
        default -> "2/3";
      };
    }

    static String currency(String text) {
      return switch (text.charAt(0)) {
        case '\u00A2' -> "cents";
        case '\u00A3' -> "#";
        default -> "$";
      };
    }

    static String hyphens(String text) {
      return text.length() >= 2 && text.length() <= 4 ? "--" : text;
    }

    /** Only the parentheses of a smiley are spelled out: ":)" is ":-RRB-", ":]" stays. */
    static String parentheses(String text) {
      return text.replace("(", "-LRB-").replace(")", "-RRB-");
    }

    static String brackets(String text) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        out.append(switch (c) {
          case '(' -> "-LRB-";
          case ')' -> "-RRB-";
          case '[' -> "-LSB-";
          case ']' -> "-RSB-";
          case '{' -> "-LCB-";
          case '}' -> "-RCB-";
          default -> String.valueOf(c);
        });
      }
      return out.toString();
    }

    /** Quote characters become the LaTeX-style quotes the original writes. */
    static String quote(String text) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        switch (c) {
          case '`', '\u2018', '\u201B', '\u2039', '\u0091' -> out.append('`');
          case '\'', '\u2019', '\u203A', '\u0092' -> out.append('\'');
          case '\u201C', '\u00AB', '\u0093' -> out.append("``");
          case '\u201D', '\u00BB', '\u0094' -> out.append("''");
          default -> out.append(c);
        }
      }
      return out.toString().replace("&apos;", "'");
    }
  }

  /** The measured character table ({@code ptb-chars.txt}): a class letter per BMP character. */
  private static final class CharClasses {
    /** Characters above ASCII that rules name one by one; they are never replaced. */
    private static final String LITERALS = "\u00A0\u00AD\u0092\u2019\u0091\u2018\u201B\u2044\u066B\u066C\u3001"
        + "\u00BC\u00BD\u00BE\u2153\u2154\u00A2\u00A3\u00A4\u0080\u20A0\u20AC\u0085\u2026\u0096\u0097\u2013\u2014"
        + "\u2015\u201C\u201D\u201A\u201E\u201F\u2039\u203A\u00AB\u00BB\u0093\u0094\u058A\u2010\u2011\u3000"
        + "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029";
    private final char[] kinds = new char[0x10000];

    static CharClasses load() {
      CharClasses classes = new CharClasses();
      java.util.Arrays.fill(classes.kinds, 'X');
      try (InputStream in = PtbTokenizer.class.getResourceAsStream("ptb-chars.txt")) {
        if (in == null) {
          throw new IllegalStateException("resource ptb-chars.txt is missing beside " + PtbTokenizer.class.getName());
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
          if (line.startsWith("#") || line.isBlank()) {
            continue;
          }
          String[] fields = line.split(" ");
          int first = Integer.parseInt(fields[0], 16);
          int last = Integer.parseInt(fields[1], 16);
          java.util.Arrays.fill(classes.kinds, first, last + 1, fields[2].charAt(0));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return classes;
    }

    /** Every character the rules can see: ASCII, the literals and the representatives. */
    String alphabet() {
      StringBuilder out = new StringBuilder();
      for (char c = 0; c < 0x80; c++) {
        out.append(c);
      }
      return out.append(LITERALS).append("\u00C0\u00AA\u0300\u0660\u00A7\u0001").toString();
    }

    /** The characters of {@link #LITERALS} of one kind. */
    String literalsOf(char kind) {
      StringBuilder out = new StringBuilder();
      for (char c : LITERALS.toCharArray()) {
        if (kinds[c] == kind) {
          out.append(c);
        }
      }
      return out.toString();
    }

    char kind(char c) {
      return kinds[c];
    }

    /**
     * {@code text} with every character that no rule names by itself replaced by its class's
     * representative: À (an upper-case letter), ª (another letter), U+0300 (a letter only inside
     * words), U+0660 (a digit), § (a symbol) and U+0001 (untokenizable). Same length, so offsets
     * carry over to the original text.
     */
    String representatives(String text) {
      char[] out = text.toCharArray();
      for (int i = 0; i < out.length; i++) {
        char c = out[i];
        if (c < 0x80 || LITERALS.indexOf(c) >= 0) {
          continue;
        }
        out[i] = switch (kinds[c]) {
          case 'L' -> Character.isUpperCase(c) ? '\u00C0' : '\u00AA';
          case 'W' -> '\u0300';
          case 'D' -> '\u0660';
          case 'S' -> '\u00A7';
          case 'X' -> '\u0001';
          default -> c; // spaces, line breaks, hyphens and normalised characters: named by the rules
        };
      }
      return new String(out);
    }
  }
}
