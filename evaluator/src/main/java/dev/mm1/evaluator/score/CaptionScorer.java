package dev.mm1.evaluator.score;

import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.data.CaptionReferences;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.metrics.Bleu;
import dev.mm1.evaluator.metrics.CiderD;
import dev.mm1.evaluator.metrics.CocoCaptionTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scores predicted captions against references as pycocoevalcap's {@code COCOEvalCap} does:
 * references and predictions tokenised separately (each in image order), then BLEU-1..4 and
 * CIDEr-D. Every image of the references needs exactly one prediction and every prediction an
 * image of the references.
 */
public final class CaptionScorer {
  /**
   * @param cider corpus CIDEr-D as pycocoevalcap reports it (about 0 to 10)
   * @param bleu BLEU-1 to BLEU-4 on the 0-1 scale
   * @param images images scored
   * @param references reference captions
   * @param candidateWords candidate words after tokenisation
   * @param referenceWords effective reference words (BLEU's closest lengths)
   * @param ciderPerImage each image's CIDEr-D, in reference order
   */
  public record Scores(double cider, double[] bleu, int images, int references, long candidateWords,
      long referenceWords, double[] ciderPerImage) {
    /** CIDEr-D x100, the scale of the MM1 paper's tables. */
    public double ciderTimes100() {
      return cider * 100;
    }
  }

  private CaptionScorer() {}

  /**
   * @param predictions each image's predicted caption, named {@code predictionsSource} in errors
   * @param allowEmpty score captions that are empty after tokenisation (the original gives them 0)
   *     instead of refusing them
   * @param warnings where to report captions that shift the tokenizer's lines (see
   *     {@link CocoCaptionTokenizer})
   */
  public static Scores score(CaptionReferences references, Map<ItemId, String> predictions, String predictionsSource,
      boolean allowEmpty, Consumer<String> warnings) {
    List<ItemId> order = references.imageIds();
    for (ItemId id : predictions.keySet()) {
      if (!references.captions().containsKey(id)) {
        throw InvalidInputException.atEntry(predictionsSource, "image_id " + id,
            "is not an image of the references " + references.source());
      }
    }
    List<String> referenceCaptions = new ArrayList<>();
    List<String> candidateCaptions = new ArrayList<>();
    for (ItemId id : order) {
      String prediction = predictions.get(id);
      if (prediction == null) {
        throw InvalidInputException.atEntry(predictionsSource, "image_id " + id,
            "has no prediction; every image of " + references.source() + " needs one (" + order.size() + " images, "
                + predictions.size() + " predictions)");
      }
      candidateCaptions.add(prediction);
      referenceCaptions.addAll(references.captions().get(id));
      warnLineBreaks(references.source(), id, references.captions().get(id), warnings);
      warnLineBreaks(predictionsSource, id, List.of(prediction), warnings);
    }
    List<List<String>> referenceWords = CocoCaptionTokenizer.tokenize(referenceCaptions);
    List<List<String>> candidateWords = CocoCaptionTokenizer.tokenize(candidateCaptions);
    List<List<List<String>>> grouped = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < order.size(); i++) {
      int count = references.captions().get(order.get(i)).size();
      grouped.add(referenceWords.subList(next, next + count));
      next += count;
      if (candidateWords.get(i).isEmpty() && !allowEmpty) {
        throw InvalidInputException.atEntry(predictionsSource, "image_id " + order.get(i),
            "the caption " + quoted(candidateCaptions.get(i)) + " is empty once punctuation is removed "
                + "(allow it with --allow-empty-predictions; it then scores 0)");
      }
    }
    CiderD.Result cider = CiderD.score(grouped, candidateWords);
    Bleu.Result bleu = Bleu.score(grouped, candidateWords);
    return new Scores(cider.score(), bleu.bleu(), order.size(), referenceCaptions.size(), bleu.candidateLength(),
        bleu.referenceLength(), cider.perImage());
  }

  private static void warnLineBreaks(String source, ItemId id, List<String> captions, Consumer<String> warnings) {
    for (String caption : captions) {
      int at = CocoCaptionTokenizer.lineBreakInside(caption);
      if (at >= 0) {
        warnings.accept(String.format("%s: image_id %s: caption %s holds U+%04X, which the official tokenizer reads as "
            + "a line break; as there, the captions after it are scored shifted by a line", source, id, quoted(caption),
            (int) caption.charAt(at)));
      }
    }
  }

  static String quoted(String text) {
    String shown = text.length() > 80 ? text.substring(0, 77) + "..." : text;
    return '"' + shown.replace("\n", "\\n").replace("\r", "\\r") + '"';
  }
}
