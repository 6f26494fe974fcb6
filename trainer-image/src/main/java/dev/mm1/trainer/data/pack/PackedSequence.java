package dev.mm1.trainer.data.pack;

import java.util.List;

/**
 * One training sequence of exactly {@code sequenceLength} positions.
 *
 * <p>{@code tokens} holds text token ids, and for each image view {@code imageTokens} copies of
 * the {@code <image>} id, which the model replaces with the view's connector outputs, in the order
 * of {@code images}. {@code lossMask[i]} is 1 when {@code tokens[i]} is a training target, to be
 * predicted from the positions before it: never for image placeholders, padding, SFT user turns,
 * or the first position of a document segment (which has nothing before it to be predicted
 * from). {@code segmentIds[i]} numbers the documents in the sequence from 1 (0 is padding), so that
 * attention can be kept inside a document; {@code positions[i]} restarts at 0 for each segment.
 *
 * @param segments "source/key" of each segment, in order (segment id = index + 1)
 */
public record PackedSequence(int[] tokens, byte[] lossMask, int[] segmentIds, int[] positions, List<PackedImage> images,
    List<String> segments) {

  /**
   * The row as {@code dev.mm1.model.MultimodalBatch} takes it: one {@code <image>} id per image
   * view (the model expands each to its {@code imageTokens} connector outputs), with the loss mask
   * and segment ids aligned to it.
   */
  public ModelRow forModel(int imageId, int imageTokens) {
    int[] collapsedTokens = new int[tokens.length - images.size() * (imageTokens - 1)];
    boolean[] collapsedMask = new boolean[collapsedTokens.length];
    int[] collapsedSegments = new int[collapsedTokens.length];
    int out = 0;
    for (int i = 0; i < tokens.length; ) {
      collapsedTokens[out] = tokens[i];
      collapsedMask[out] = lossMask[i] == 1;
      collapsedSegments[out++] = segmentIds[i];
      i += tokens[i] == imageId && segmentIds[i] != 0 ? imageTokens : 1;
    }
    if (out != collapsedTokens.length) {
      throw new IllegalArgumentException("image placeholders do not come in runs of " + imageTokens + " per image");
    }
    return new ModelRow(collapsedTokens, collapsedMask, collapsedSegments);
  }

  /** A row with one placeholder per image view; see {@link #forModel}. */
  public record ModelRow(int[] tokens, boolean[] lossMask, int[] segmentIds) {}

  /** Non-padding positions. */
  public int usedTokens() {
    int used = 0;
    for (int id : segmentIds) {
      if (id != 0) {
        used++;
      }
    }
    return used;
  }
}
