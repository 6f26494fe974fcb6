package dev.mm1.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where the data pipeline is, exactly: per data-parallel lane the mixture sampler's random state,
 * each source's reading position (epoch, shard, sample), the document split across sequences
 * (where it was read and how much of it is packed), and the sample counts of the bad-sample
 * budget. Restoring it reproduces the batches an uninterrupted run would have produced. Serialises
 * to JSON for the checkpoint's trainer-state.json. The states of several ranks {@link #merge} into
 * one that every rank can restore from.
 *
 * @param version format version, {@value #VERSION}
 * @param seed the pipeline seed it was made with
 * @param lanes total lanes across ranks (batch size × world size)
 * @param sources source names in mixture order
 * @param laneStates the lanes this state covers
 */
public record PipelineState(int version, long seed, int lanes, List<String> sources, List<Lane> laneStates) {
  public static final int VERSION = 2;
  private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * One lane.
   *
   * @param random the mixture sampler's generator state
   * @param tokens tokens drawn per source so far (the mixture's realised shares)
   */
  public record Lane(int lane, long random, Map<String, Long> tokens, Map<String, SourcePosition> positions,
      List<String> exhausted, Pending pending, long seen, long skipped) {}

  /** Tokens drawn per source over the lanes of this state, in mixture order. */
  public Map<String, Long> sourceTokens() {
    Map<String, Long> total = new java.util.LinkedHashMap<>();
    sources.forEach(name -> total.put(name, 0L));
    for (Lane lane : laneStates) {
      lane.tokens().forEach((name, count) -> total.merge(name, count, Long::sum));
    }
    return total;
  }

  /** A document partly packed: where it was read, and the cursor into it. */
  public record Pending(String source, String key, SourcePosition at, int piece, int offset) {}

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static PipelineState fromJson(String json) {
    try {
      PipelineState state = JSON.readValue(json, PipelineState.class);
      if (state.version() != VERSION) {
        throw new DataPipelineException("data pipeline state has version " + state.version() + "; this build reads " + VERSION);
      }
      return state;
    } catch (JsonProcessingException e) {
      throw new DataPipelineException("data pipeline state is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** One state holding the lanes of all given states (e.g. gathered from every rank). */
  public static PipelineState merge(List<PipelineState> states) {
    PipelineState first = states.getFirst();
    List<Lane> lanes = new ArrayList<>();
    for (PipelineState state : states) {
      if (state.seed() != first.seed() || state.lanes() != first.lanes() || !state.sources().equals(first.sources())) {
        throw new IllegalArgumentException("cannot merge pipeline states of different runs (seed, lanes or sources differ)");
      }
      lanes.addAll(state.laneStates());
    }
    lanes.sort(Comparator.comparingInt(Lane::lane));
    return new PipelineState(VERSION, first.seed(), first.lanes(), first.sources(), List.copyOf(lanes));
  }
}
