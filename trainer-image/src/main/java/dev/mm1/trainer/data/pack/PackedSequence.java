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
