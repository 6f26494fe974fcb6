package dev.mm1.trainer.data.pack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Packs documents into sequences of exactly {@code sequenceLength} positions holding at most
 * {@code maxImages} image views, the MM1 way: several caption pairs per sequence; interleaved and
 * text documents fill what is left and continue, in order, in the next sequence when they hit the
 * token or image limit; nothing is dropped or repeated. A document split across sequences is
 * remembered as the pending document with a cursor (piece, offset), which is part of the resumable
 * pipeline state. Not thread-safe: one packer per data-parallel lane.
 */
public final class SequencePacker {
  private final int sequenceLength;
  private final int maxImages;
  private final int imageTokens;
  private final int padId;
  private final int imageId;

  private Document pending;
  private int pieceIndex;
  private int offset;

  /**
   * @param imageTokens positions one image view takes (the connector's output token count)
   */
  public SequencePacker(int sequenceLength, int maxImages, int imageTokens, int padId, int imageId) {
    if (sequenceLength < 2) {
      throw new IllegalArgumentException("sequenceLength must be at least 2, got " + sequenceLength);
    }
    if (maxImages < 0 || imageTokens < 1) {
      throw new IllegalArgumentException("maxImagesPerSequence must be >= 0 and image tokens >= 1, got "
          + maxImages + " and " + imageTokens);
    }
    this.sequenceLength = sequenceLength;
    this.maxImages = maxImages;
    this.imageTokens = imageTokens;
    this.padId = padId;
    this.imageId = imageId;
  }

  /** Sequence positions one image view takes. */
  public int imageTokens() {
    return imageTokens;
  }

  /**
   * Throws when an image of {@code views} views can never be packed (more positions or views than
   * one sequence holds), so that a misconfiguration fails at start, naming the settings.
   */
  public void checkImageFits(int views) {
    if (views > maxImages || (long) views * imageTokens > sequenceLength) {
      throw new IllegalArgumentException("an image of " + views + " view(s) × " + imageTokens
          + " image tokens cannot fit a sequence: sequenceLength is " + sequenceLength + " and maxImagesPerSequence is "
          + maxImages);
    }
  }

  /**
   * The next full sequence, drawing documents from {@code documents} as needed; null when
   * {@code documents} returns null and nothing is left to pack.
   */
  public PackedSequence next(Supplier<Document> documents) {
    Builder builder = new Builder();
    while (true) {
      if (pending == null) {
        if (builder.used == sequenceLength) {
          return builder.build();
        }
        Document document = documents.get();
        if (document == null) {
          return builder.used == 0 ? null : builder.build();
        }
        for (Document.Piece piece : document.pieces()) {
          if (piece instanceof Document.Image image) {
            checkImageFits(image.views().length);
          }
        }
        pending = document;
        pieceIndex = 0;
        offset = 0;
      }
      if (builder.place()) {
        pending = null;
      } else {
        return builder.build();
      }
    }
  }

  /** The document split across sequences, or null. */
  public Document pending() {
    return pending;
  }

  /** Index of the pending document's next piece. */
  public int pendingPiece() {
    return pieceIndex;
  }

  /** Tokens of the pending document's next text piece already packed. */
  public int pendingOffset() {
    return offset;
  }

  /** Restores a pending document and cursor saved from {@link #pending()}, {@link #pendingPiece()}, {@link #pendingOffset()}. */
  public void restorePending(Document document, int piece, int tokenOffset) {
    if (document != null && (piece < 0 || piece >= document.pieces().size()
        || (tokenOffset > 0 && !(document.pieces().get(piece) instanceof Document.Text text && tokenOffset < text.tokens().length)))) {
      throw new IllegalArgumentException("saved cursor (piece " + piece + ", offset " + tokenOffset
          + ") does not fit document " + document.source() + "/" + document.key() + "; the shard changed since the state was saved");
    }
    this.pending = document;
    this.pieceIndex = piece;
    this.offset = tokenOffset;
  }

  /** One sequence being filled. */
  private final class Builder {
    final int[] tokens = new int[sequenceLength];
    final byte[] lossMask = new byte[sequenceLength];
    final int[] segmentIds = new int[sequenceLength];
    final int[] positions = new int[sequenceLength];
    final List<PackedImage> images = new ArrayList<>();
    final List<String> segments = new ArrayList<>();
    int used;

    /** Packs as much of the pending document as fits; true when all of it is packed. */
    boolean place() {
      Document document = pending;
      boolean fresh = pieceIndex == 0 && offset == 0;
      if (document.keepTogether() && fresh && used > 0
          && (document.tokenCount(imageTokens) > sequenceLength - used || document.imageCount() > maxImages - images.size())) {
        return false;
      }
      int segment = 0;
      int position = 0;
      List<Document.Piece> pieces = document.pieces();
      while (pieceIndex < pieces.size()) {
        Document.Piece piece = pieces.get(pieceIndex);
        int room = sequenceLength - used;
        int count;
        if (piece instanceof Document.Image image) {
          int views = image.views().length;
          if (views * imageTokens > room || views > maxImages - images.size()) {
            return false;
          }
          count = views * imageTokens;
        } else {
          count = Math.min(((Document.Text) piece).tokens().length - offset, room);
          if (count == 0 && room == 0) {
            return false;
          }
        }
        if (segment == 0 && count > 0) {
          segments.add(document.source() + "/" + document.key());
          segment = segments.size();
        }
        switch (piece) {
          case Document.Image image -> {
            for (int view = 0; view < image.views().length; view++) {
              images.add(new PackedImage(document.source(), document.key(), image.name(), view, image.views()[view]));
              for (int t = 0; t < imageTokens; t++) {
                append(imageId, false, segment, position++);
              }
            }
            pieceIndex++;
          }
          case Document.Text text -> {
            for (int t = 0; t < count; t++) {
              append(text.tokens()[offset + t], text.supervised() && position > 0, segment, position++);
            }
            offset += count;
            if (offset == text.tokens().length) {
              pieceIndex++;
              offset = 0;
            }
          }
        }
      }
      return true;
    }

    private void append(int token, boolean target, int segment, int position) {
      tokens[used] = token;
      lossMask[used] = (byte) (target ? 1 : 0);
      segmentIds[used] = segment;
      positions[used] = position;
      used++;
    }

    PackedSequence build() {
      Arrays.fill(tokens, used, sequenceLength, padId);
      return new PackedSequence(tokens, lossMask, segmentIds, positions, List.copyOf(images), List.copyOf(segments));
    }
  }
}
