package dev.mm1.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The MM1 tokenizer: the byte-level BPE bundled with this module (trained by
 * {@link BpeTokenizerTrainer}), run by DJL's HuggingFace tokenizers binding. Any text encodes (no
 * unknown token); {@link #encode} adds no special tokens and never truncates; the special tokens
 * ({@code <image>}, {@code <|endofchunk|>}, BOS/EOS/PAD and the chat roles) are single ids, also
 * when written inside the text.
 */
public final class MM1Tokenizer implements AutoCloseable {
  /** Class-path location of the bundled tokenizer. */
  public static final String RESOURCE = "/dev/mm1/model/tokenizer/tokenizer.json";

  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final int pad;
  private final int bos;
  private final int eos;
  private final int image;
  private final int endOfChunk;
  private final int userRole;
  private final int assistantRole;

  private MM1Tokenizer(HuggingFaceTokenizer tokenizer, int vocabSize) {
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.pad = special("<|pad|>");
    this.bos = special("<|bos|>");
    this.eos = special("<|eos|>");
    this.image = special("<image>");
    this.endOfChunk = special("<|endofchunk|>");
    this.userRole = special("<|user|>");
    this.assistantRole = special("<|assistant|>");
  }

  /** The bundled tokenizer. */
  public static MM1Tokenizer load() {
    try (InputStream in = MM1Tokenizer.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("tokenizer resource " + RESOURCE + " is missing from the class path");
      }
      // DJL truncates to 512 tokens and may pad unless told otherwise.
      var tokenizer = HuggingFaceTokenizer.newInstance(in,
          Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
      return new MM1Tokenizer(tokenizer, BpeTokenizerTrainer.VOCAB_SIZE);
    } catch (IOException e) {
      throw new UncheckedIOException("reading tokenizer resource " + RESOURCE + " failed", e);
    }
  }

  private int special(String token) {
    var ids = tokenizer.encode(token, false, false).getIds();
    if (ids.length != 1) {
      throw new IllegalStateException("special token " + token + " is not a single id in " + RESOURCE);
    }
    return (int) ids[0];
  }

  /** Token ids of {@code text}; adds no special tokens and never truncates. */
  public int[] encode(String text) {
    var ids = tokenizer.encode(text, false, false).getIds();
    var out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  /** The text of {@code ids}, special tokens written out (so {@code <image>} survives a round trip). */
  public String decode(int[] ids) {
    var longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new IllegalArgumentException(
            "token id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + vocabSize + ")");
      }
      longs[i] = ids[i];
    }
    return tokenizer.decode(longs, false);
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int bos() {
    return bos;
  }

  public int eos() {
    return eos;
  }

  public int pad() {
    return pad;
  }

  /** Id of {@code <image>}, the placeholder replaced by an image's connector tokens. */
  public int image() {
    return image;
  }

  /** Id of {@code <|endofchunk|>}, which ends a text chunk of an interleaved document. */
  public int endOfChunk() {
    return endOfChunk;
  }

  /** Id of {@code <|user|>}, which opens a user turn in SFT chat data. */
  public int userRole() {
    return userRole;
  }

  /** Id of {@code <|assistant|>}, which opens an assistant turn in SFT chat data. */
  public int assistantRole() {
    return assistantRole;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
