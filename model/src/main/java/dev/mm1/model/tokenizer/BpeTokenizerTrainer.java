package dev.mm1.model.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the bundled byte-level BPE (GPT-2 style: every byte is a symbol, so any text encodes with
 * no unknown token) on {@link TrainingWords} and writes a HuggingFace {@code tokenizer.json}.
 * Deterministic: the same word list always gives the same file. Run {@link #main} to regenerate
 * {@code src/main/resources/dev/mm1/model/tokenizer/tokenizer.json} after changing the words.
 */
public final class BpeTokenizerTrainer {
  /** Total vocabulary size of the bundled tokenizer, special tokens included. */
  public static final int VOCAB_SIZE = 8192;

  /** Special tokens in id order; {@link MM1Tokenizer} looks them up by these strings. */
  static final List<String> SPECIAL_TOKENS =
      List.of("<|pad|>", "<|bos|>", "<|eos|>", "<image>", "<|endofchunk|>", "<|user|>", "<|assistant|>");

  private static final List<String> PUNCTUATION =
      List.of(".", ",", "?", "!", ":", ";", "'", "\"", "(", ")", "-", " -", " (", " \"", "'s", "'t", "'re",
          "'ve", "'m", "'ll", "'d", "\n", "\n\n", " ", "  ", ").", "),", ".\"", "...", "/", " /", "%");

  private BpeTokenizerTrainer() {}

  /** Writes the tokenizer JSON to the path given as the only argument. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: BpeTokenizerTrainer OUTPUT_TOKENIZER_JSON");
      System.exit(2);
    }
    Files.writeString(Path.of(args[0]), trainTokenizerJson(), StandardCharsets.UTF_8);
  }

  /** The tokenizer.json text trained on {@link TrainingWords}. */
  public static String trainTokenizerJson() {
    var byteToChar = bytesToUnicode();
    var corpus = new LinkedHashMap<String, Integer>();
    TrainingWords.weighted().forEach((word, weight) -> {
      var capital = word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
      corpus.merge(" " + word, weight * 4, Integer::sum);
      corpus.merge(word, weight, Integer::sum);
      corpus.merge(" " + capital, weight, Integer::sum);
      corpus.merge(capital, Math.max(1, weight / 2), Integer::sum);
    });
    for (var punctuation : PUNCTUATION) {
      corpus.merge(punctuation, 100, Integer::sum);
    }

    var vocab = new ArrayList<String>(SPECIAL_TOKENS);
    var symbolIds = new HashMap<String, Integer>();
    for (int b = 0; b < 256; b++) {
      symbolIds.put(byteToChar[b], vocab.size());
      vocab.add(byteToChar[b]);
    }
    var words = new ArrayList<int[]>();
    var weights = new ArrayList<Integer>();
    corpus.forEach((text, weight) -> {
      var bytes = text.getBytes(StandardCharsets.UTF_8);
      var symbols = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        symbols[i] = symbolIds.get(byteToChar[bytes[i] & 0xff]);
      }
      words.add(symbols);
      weights.add(weight);
    });

    var merges = new ArrayList<String>();
    var pairCounts = new HashMap<Long, Long>();
    for (int w = 0; w < words.size(); w++) {
      countPairs(words.get(w), weights.get(w), pairCounts);
    }
    // Bounded: merges that reuse an existing token do not grow the vocabulary.
    for (int round = 0; vocab.size() < VOCAB_SIZE && round < 4 * VOCAB_SIZE; round++) {
      long best = -1;
      long bestCount = 0;
      String bestText = null;
      for (var entry : pairCounts.entrySet()) {
        long count = entry.getValue();
        if (count <= 0 || count < bestCount) {
          continue;
        }
        var text = pairText(entry.getKey(), vocab);
        // Ties broken by the merge's text so the file never depends on hash order.
        if (count > bestCount || text.compareTo(bestText) < 0) {
          best = entry.getKey();
          bestCount = count;
          bestText = text;
        }
      }
      if (best < 0) {
        break;
      }
      int left = (int) (best >>> 32);
      int right = (int) best;
      // Two merges may spell the same token ("ab"+"c", "a"+"bc"): they share one id.
      var mergedText = vocab.get(left) + vocab.get(right);
      Integer existing = symbolIds.get(mergedText);
      int merged = existing != null ? existing : vocab.size();
      if (existing == null) {
        symbolIds.put(mergedText, merged);
        vocab.add(mergedText);
      }
      merges.add(bestText);
      for (int w = 0; w < words.size(); w++) {
        var symbols = words.get(w);
        if (!contains(symbols, left, right)) {
          continue;
        }
        countPairs(symbols, -weights.get(w), pairCounts);
        var replaced = merge(symbols, left, right, merged);
        words.set(w, replaced);
        countPairs(replaced, weights.get(w), pairCounts);
      }
      pairCounts.remove(best);
    }
    // The word list runs out of merges before 8192 ids: the rest are reserved special tokens, so
    // every id of the model's vocabulary decodes and later additions keep the existing ids.
    int firstReserved = vocab.size();
    while (vocab.size() < VOCAB_SIZE) {
      vocab.add("<|reserved_" + (vocab.size() - firstReserved) + "|>");
    }
    return toJson(vocab, merges, firstReserved);
  }

  private static String pairText(long pair, List<String> vocab) {
    return vocab.get((int) (pair >>> 32)) + " " + vocab.get((int) pair);
  }

  private static void countPairs(int[] symbols, long weight, Map<Long, Long> counts) {
    for (int i = 0; i + 1 < symbols.length; i++) {
      long key = ((long) symbols[i] << 32) | (symbols[i + 1] & 0xffffffffL);
      counts.merge(key, weight, Long::sum);
    }
  }

  private static boolean contains(int[] symbols, int left, int right) {
    for (int i = 0; i + 1 < symbols.length; i++) {
      if (symbols[i] == left && symbols[i + 1] == right) {
        return true;
      }
    }
    return false;
  }

  private static int[] merge(int[] symbols, int left, int right, int merged) {
    var out = new int[symbols.length];
    int n = 0;
    for (int i = 0; i < symbols.length; i++) {
      if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
        out[n++] = merged;
        i++;
      } else {
        out[n++] = symbols[i];
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** GPT-2's reversible map from bytes to printable characters (space becomes 'Ġ'). */
  static String[] bytesToUnicode() {
    var chars = new String[256];
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      chars[b] = printable ? Character.toString(b) : Character.toString(256 + next++);
    }
    return chars;
  }

  private static String toJson(List<String> vocab, List<String> merges, int firstReserved) {
    var root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    var added = new JsonArray();
    var specialIds = new ArrayList<Integer>();
    for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
      specialIds.add(id);
    }
    for (int id = firstReserved; id < vocab.size(); id++) {
      specialIds.add(id);
    }
    for (int id : specialIds) {
      var token = new JsonObject();
      token.addProperty("id", id);
      token.addProperty("content", vocab.get(id));
      token.addProperty("single_word", false);
      token.addProperty("lstrip", false);
      token.addProperty("rstrip", false);
      token.addProperty("normalized", false);
      token.addProperty("special", true);
      added.add(token);
    }
    root.add("added_tokens", added);
    root.add("normalizer", JsonNull.INSTANCE);
    root.add("pre_tokenizer", byteLevel());
    root.add("post_processor", JsonNull.INSTANCE);
    root.add("decoder", byteLevel());
    var model = new JsonObject();
    model.addProperty("type", "BPE");
    model.add("dropout", JsonNull.INSTANCE);
    model.add("unk_token", JsonNull.INSTANCE);
    model.add("continuing_subword_prefix", JsonNull.INSTANCE);
    model.add("end_of_word_suffix", JsonNull.INSTANCE);
    model.addProperty("fuse_unk", false);
    model.addProperty("byte_fallback", false);
    var vocabJson = new JsonObject();
    for (int id = 0; id < vocab.size(); id++) {
      vocabJson.addProperty(vocab.get(id), id);
    }
    model.add("vocab", vocabJson);
    var mergesJson = new JsonArray();
    merges.forEach(mergesJson::add);
    model.add("merges", mergesJson);
    root.add("model", model);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  // No prefix space: decode(encode(text)) gives back exactly the text.
  private static JsonObject byteLevel() {
    var json = new JsonObject();
    json.addProperty("type", "ByteLevel");
    json.addProperty("add_prefix_space", false);
    json.addProperty("trim_offsets", true);
    json.addProperty("use_regex", true);
    return json;
  }
}
