package dev.mm1.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.data.image.ImagePreprocessor;
import dev.mm1.trainer.data.image.UndecodableImageException;
import dev.mm1.trainer.data.pack.Document;
import dev.mm1.trainer.data.shard.ShardSample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a shard sample into a {@link Document}: checks its layout, decodes and preprocesses its
 * images, tokenizes its text. Token layouts (N = image tokens per view):
 *
 * <pre>
 * Caption      &lt;bos&gt; &lt;image&gt;×N caption &lt;|endofchunk|&gt; &lt;eos&gt;
 * Interleaved  &lt;bos&gt; then each entry in order (text tokens, or &lt;image&gt;×N) &lt;eos&gt;
 * Text         &lt;bos&gt; text &lt;eos&gt;
 * SFT          &lt;bos&gt; &lt;image&gt;×N (×5 views with sub-images), then per turn
 *              &lt;|user|&gt; question   or   &lt;|assistant|&gt; answer &lt;|endofchunk|&gt;, then &lt;eos&gt;
 * </pre>
 *
 * Only caption, interleaved text, text documents and assistant answers (with the end tokens after
 * them) are training targets. Thread-safe.
 */
final class SampleDecoder {
  static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "gif", "bmp");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MM1Tokenizer tokenizer;
  private final ImagePreprocessor images;

  SampleDecoder(MM1Tokenizer tokenizer, ImagePreprocessor images) {
    this.tokenizer = tokenizer;
    this.images = images;
  }

  Document decode(String source, DataSourceKind kind, ShardSample sample, Object origin) throws BadSampleException {
    return switch (kind) {
      case Caption -> caption(source, sample, origin);
      case Interleaved -> interleaved(source, sample, origin);
      case Text -> text(source, sample, origin);
      case SFT -> conversation(source, sample, origin);
    };
  }

  private Document caption(String source, ShardSample sample, Object origin) throws BadSampleException {
    String imagePart = imagePart(sample);
    if (imagePart == null) {
      throw bad(sample, "caption sample has no image (" + String.join(", ", IMAGE_EXTENSIONS) + "); it has "
          + sample.parts().keySet());
    }
    String caption = requiredText(sample, "txt");
    List<Document.Piece> pieces = new ArrayList<>();
    pieces.add(tokens(false, tokenizer.bos()));
    pieces.add(image(sample, imagePart));
    pieces.add(new Document.Text(concat(encode(sample, caption), tokenizer.endOfChunk(), tokenizer.eos()), true));
    return new Document(source, sample.key(), origin, pieces, true);
  }

  private Document interleaved(String source, ShardSample sample, Object origin) throws BadSampleException {
    JsonNode entries = json(sample, "json");
    if (!entries.isArray() || entries.isEmpty()) {
      throw bad(sample, "json must be a non-empty array of {\"text\": …} and {\"image\": \"N.png\"} entries");
    }
    List<Document.Piece> pieces = new ArrayList<>();
    pieces.add(tokens(false, tokenizer.bos()));
    boolean afterText = false;
    for (int i = 0; i < entries.size(); i++) {
      JsonNode entry = entries.get(i);
      if (entry.hasNonNull("text") && entry.get("text").isTextual()) {
        String text = entry.get("text").asText();
        // Entries are sentences: a space keeps words apart when two text entries meet.
        pieces.add(new Document.Text(encode(sample, afterText ? " " + text : text), true));
        afterText = true;
      } else if (entry.hasNonNull("image") && entry.get("image").isTextual()) {
        String name = entry.get("image").asText();
        if (!sample.parts().containsKey(name)) {
          throw bad(sample, "json entry " + i + " names image '" + name + "', which the sample does not have (it has "
              + sample.parts().keySet() + ")");
        }
        pieces.add(image(sample, name));
        afterText = false;
      } else {
        throw bad(sample, "json entry " + i + " must be {\"text\": \"…\"} or {\"image\": \"N.png\"}, got " + entry);
      }
    }
    pieces.add(tokens(true, tokenizer.eos()));
    return new Document(source, sample.key(), origin, pieces, false);
  }

  private Document text(String source, ShardSample sample, Object origin) throws BadSampleException {
    String text = requiredText(sample, "txt");
    return new Document(source, sample.key(), origin,
        List.of(new Document.Text(concat(new int[] {tokenizer.bos()}, encode(sample, text), tokenizer.eos()), true)), false);
  }

  private Document conversation(String source, ShardSample sample, Object origin) throws BadSampleException {
    String imagePart = imagePart(sample);
    if (imagePart == null) {
      throw bad(sample, "SFT sample has no image (" + String.join(", ", IMAGE_EXTENSIONS) + "); it has " + sample.parts().keySet());
    }
    JsonNode turns = json(sample, "json").path("conversation");
    if (!turns.isArray() || turns.isEmpty()) {
      throw bad(sample, "json must hold a non-empty \"conversation\" array of {\"role\": \"user\"|\"assistant\", \"text\": …}");
    }
    List<Document.Piece> pieces = new ArrayList<>();
    pieces.add(tokens(false, tokenizer.bos()));
    pieces.add(image(sample, imagePart));
    boolean answered = false;
    for (int i = 0; i < turns.size(); i++) {
      JsonNode turn = turns.get(i);
      String role = turn.path("role").asText("");
      JsonNode text = turn.get("text");
      if (text == null || !text.isTextual()) {
        throw bad(sample, "conversation turn " + i + " has no \"text\" string");
      }
      switch (role) {
        case "user" -> pieces.add(new Document.Text(concat(new int[] {tokenizer.userRole()}, encode(sample, text.asText())), false));
        case "assistant" -> {
          pieces.add(tokens(false, tokenizer.assistantRole()));
          pieces.add(new Document.Text(concat(encode(sample, text.asText()), tokenizer.endOfChunk()), true));
          answered = true;
        }
        default -> throw bad(sample, "conversation turn " + i + " has role '" + role + "'; allowed: user, assistant");
      }
    }
    if (!answered) {
      throw bad(sample, "conversation has no assistant turn, so nothing to learn from");
    }
    pieces.add(tokens(true, tokenizer.eos()));
    return new Document(source, sample.key(), origin, pieces, true);
  }

  private static String imagePart(ShardSample sample) {
    for (String extension : IMAGE_EXTENSIONS) {
      if (sample.parts().containsKey(extension)) {
        return extension;
      }
    }
    return null;
  }

  private Document.Image image(ShardSample sample, String part) throws BadSampleException {
    try {
      return new Document.Image(part, images.preprocess(sample.parts().get(part)));
    } catch (UndecodableImageException e) {
      throw bad(sample, "image '" + part + "': " + e.getMessage());
    }
  }

  private static String requiredText(ShardSample sample, String part) throws BadSampleException {
    byte[] bytes = sample.parts().get(part);
    if (bytes == null) {
      throw bad(sample, "has no '" + part + "' part; it has " + sample.parts().keySet());
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static JsonNode json(ShardSample sample, String part) throws BadSampleException {
    String text = requiredText(sample, part);
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw bad(sample, "'" + part + "' is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private int[] encode(ShardSample sample, String text) throws BadSampleException {
    int[] ids = tokenizer.encode(text);
    for (int id : ids) {
      if (id == tokenizer.image()) {
        // A literal "<image>" in text would be taken for an image placeholder and shift every image after it.
        throw bad(sample, "text contains the reserved <image> token");
      }
    }
    return ids;
  }

  private static Document.Text tokens(boolean supervised, int... ids) {
    return new Document.Text(ids, supervised);
  }

  private static int[] concat(int[] head, int... tail) {
    int[] out = new int[head.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  private static int[] concat(int[] head, int[] middle, int last) {
    return concat(concat(head, middle), last);
  }

  private static BadSampleException bad(ShardSample sample, String problem) {
    return new BadSampleException(sample.shard(), sample.key(), problem);
  }
}
