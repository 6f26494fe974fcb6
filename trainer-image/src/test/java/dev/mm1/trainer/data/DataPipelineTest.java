package dev.mm1.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mm1.api.v1alpha1.DataSourceKind;
import dev.mm1.api.v1alpha1.DataSourceSpec;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.data.image.ImagePreprocessor;
import dev.mm1.trainer.data.pack.Document;
import dev.mm1.trainer.data.pack.PackedImage;
import dev.mm1.trainer.data.pack.PackedSequence;
import dev.mm1.trainer.data.shard.ShardPattern;
import dev.mm1.trainer.data.shard.ShardSample;
import dev.mm1.trainer.data.shard.ShardSampleReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class DataPipelineTest {
  static final int IMAGE_TOKENS = 8;
  static MM1Tokenizer tokenizer;

  @BeforeAll
  static void load() {
    TestCorpus.root();
    tokenizer = MM1Tokenizer.load();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static DataPipeline.Builder pipeline(DataSpec spec, int batchSize) {
    return DataPipeline.builder(spec).tokenizer(tokenizer).imageTokens(IMAGE_TOKENS).batchSize(batchSize);
  }

  /** What each sample should contribute: its text tokens in order and its image views, keyed "source/key". */
  private static Map<String, Document> expectedDocuments(DataSpec spec) throws Exception {
    SampleDecoder decoder = new SampleDecoder(tokenizer, new ImagePreprocessor(spec.imageResolution, Boolean.TRUE.equals(spec.subImageDecomposition)));
    Map<String, Document> documents = new HashMap<>();
    for (DataSourceSpec source : spec.sources) {
      for (Path shard : ShardPattern.expand(source.shards)) {
        try (ShardSampleReader reader = ShardSampleReader.open(shard)) {
          for (ShardSample sample; (sample = reader.next(true)) != null; ) {
            documents.put(source.name + "/" + sample.key(), decoder.decode(source.name, source.kind, sample, null));
          }
        }
      }
    }
    return documents;
  }

  private static List<Integer> textTokens(Document document) {
    List<Integer> tokens = new ArrayList<>();
    for (Document.Piece piece : document.pieces()) {
      if (piece instanceof Document.Text text) {
        for (int t : text.tokens()) {
          tokens.add(t);
        }
      }
    }
    return tokens;
  }

  @Test
  void aSinglePassPacksEverySampleOnceWithAllItsTokensAndImagesWithinTheLimits() throws Exception {
    DataSpec spec = TestCorpus.pretraining(192, 3);
    Map<String, List<Integer>> packedText = new HashMap<>();
    Map<String, Integer> packedImages = new HashMap<>();
    try (DataPipeline pipeline = pipeline(spec, 3).singlePass(true).build()) {
      for (Batch batch; (batch = pipeline.nextBatch()) != null; ) {
        for (PackedSequence sequence : batch.sequences()) {
          assertThat(sequence.tokens()).hasSize(192);
          assertThat(sequence.images().size()).isLessThanOrEqualTo(3);
          int placeholders = 0;
          for (int i = 0; i < sequence.tokens().length; i++) {
            int segment = sequence.segmentIds()[i];
            if (segment == 0) {
              assertThat(sequence.tokens()[i]).isEqualTo(tokenizer.pad());
            } else if (sequence.tokens()[i] == tokenizer.image()) {
              placeholders++;
              assertThat(sequence.lossMask()[i]).isZero();
            } else {
              packedText.computeIfAbsent(sequence.segments().get(segment - 1), k -> new ArrayList<>()).add(sequence.tokens()[i]);
            }
          }
          assertThat(placeholders).isEqualTo(IMAGE_TOKENS * sequence.images().size());
          for (PackedImage image : sequence.images()) {
            packedImages.merge(image.source() + "/" + image.key(), 1, Integer::sum);
            assertThat(image.pixels()).hasSize(3 * 16 * 16);
          }
        }
      }
      assertThat(pipeline.samplesSkipped()).isZero();
    }
    Map<String, Document> expected = expectedDocuments(spec);
    assertThat(packedText.keySet()).isEqualTo(expected.keySet());
    expected.forEach((key, document) -> {
      assertThat(packedText.get(key)).as(key).isEqualTo(textTokens(document));
      assertThat(packedImages.getOrDefault(key, 0)).as(key).isEqualTo(document.imageCount());
    });
    assertThat(packedImages.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(expected.values().stream().mapToInt(Document::imageCount).sum()).isGreaterThan(600);
  }

  private static List<PackedSequence> rows(DataPipeline pipeline, int batches) {
    List<PackedSequence> rows = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      rows.addAll(pipeline.nextBatch().sequences());
    }
    return rows;
  }

  @Test
  void mixtureWeightsAreSharesOfTrainedTokensWithinTwoPercentOver1000Sequences() {
    DataSpec spec = TestCorpus.pretraining(256, 8);
    Map<String, Long> packed = new HashMap<>();
    long total = 0;
    Batch last = null;
    try (DataPipeline pipeline = pipeline(spec, 4).build()) {
      for (int b = 0; b < 250; b++) {
        last = pipeline.nextBatch();
        for (PackedSequence sequence : last.sequences()) {
          for (int id : sequence.segmentIds()) {
            if (id > 0) {
              packed.merge(sequence.segments().get(id - 1).split("/")[0], 1L, Long::sum);
              total++;
            }
          }
        }
      }
    }
    double weights = spec.sources.stream().mapToDouble(s -> s.weight).sum();
    Map<String, Long> reported = last.state().sourceTokens();
    long reportedTotal = reported.values().stream().mapToLong(Long::longValue).sum();
    for (DataSourceSpec source : spec.sources) {
      double share = 100.0 * packed.getOrDefault(source.name, 0L) / total;
      assertThat(share).as("share of %s in the packed tokens", source.name).isCloseTo(100 * source.weight / weights, within(2.0));
      // What the pipeline reports (tokens drawn, a partly packed document included) agrees.
      assertThat(100.0 * reported.get(source.name) / reportedTotal).as("reported share of %s", source.name)
          .isCloseTo(share, within(1.0));
    }
  }

  @Test
  void twoRanksReadDisjointDataAndTogetherMakeTheSingleProcessStreamWithTheCombinedBatch() {
    DataSpec spec = TestCorpus.pretraining(128, 2);
    int batches = 8;
    List<List<PackedSequence>> single = new ArrayList<>();
    List<List<PackedSequence>> rank0 = new ArrayList<>();
    List<List<PackedSequence>> rank1 = new ArrayList<>();
    try (DataPipeline one = pipeline(spec, 4).build();
        DataPipeline r0 = pipeline(spec, 2).rank(0, 2).build();
        DataPipeline r1 = pipeline(spec, 2).rank(1, 2).build()) {
      for (int b = 0; b < batches; b++) {
        single.add(one.nextBatch().sequences());
        rank0.add(r0.nextBatch().sequences());
        rank1.add(r1.nextBatch().sequences());
      }
    }
    Set<String> seen0 = new HashSet<>();
    Set<String> seen1 = new HashSet<>();
    for (int b = 0; b < batches; b++) {
      List<PackedSequence> union = new ArrayList<>(rank0.get(b));
      union.addAll(rank1.get(b));
      assertThat(union).hasSize(4);
      for (int row = 0; row < 4; row++) {
        assertSameSequence(union.get(row), single.get(b).get(row));
      }
      rank0.get(b).forEach(s -> seen0.addAll(s.segments()));
      rank1.get(b).forEach(s -> seen1.addAll(s.segments()));
    }
    assertThat(seen0).isNotEmpty().doesNotContainAnyElementsOf(seen1);
  }

  private static void assertSameSequence(PackedSequence actual, PackedSequence expected) {
    assertThat(actual.tokens()).isEqualTo(expected.tokens());
    assertThat(actual.lossMask()).isEqualTo(expected.lossMask());
    assertThat(actual.segmentIds()).isEqualTo(expected.segmentIds());
    assertThat(actual.positions()).isEqualTo(expected.positions());
    assertThat(actual.segments()).isEqualTo(expected.segments());
    assertThat(actual.images()).hasSameSizeAs(expected.images());
    for (int i = 0; i < actual.images().size(); i++) {
      assertThat(actual.images().get(i).key()).isEqualTo(expected.images().get(i).key());
      assertThat(actual.images().get(i).pixels()).isEqualTo(expected.images().get(i).pixels());
    }
  }

  @Test
  void resumingFromASavedStateReproducesTheNext50BatchesExactly() {
    DataSpec spec = TestCorpus.pretraining(96, 2);
    String saved;
    List<PackedSequence> uninterrupted;
    boolean pendingAtSave;
    try (DataPipeline pipeline = pipeline(spec, 2).build();
        PrefetchingLoader loader = new PrefetchingLoader(pipeline, 2, 3)) {
      for (int b = 0; b < 37; b++) {
        loader.next();
      }
      PipelineState state = loader.state();
      pendingAtSave = state.laneStates().stream().anyMatch(l -> l.pending() != null);
      saved = state.toJson();
      uninterrupted = new ArrayList<>();
      for (int b = 0; b < 50; b++) {
        uninterrupted.addAll(loader.next().sequences());
      }
    }
    assertThat(pendingAtSave).as("a document is split across the save point").isTrue();
    try (DataPipeline resumed = pipeline(spec, 2).resumeFrom(PipelineState.fromJson(saved)).build()) {
      List<PackedSequence> replay = rows(resumed, 50);
      assertThat(replay).hasSameSizeAs(uninterrupted);
      for (int i = 0; i < replay.size(); i++) {
        assertSameSequence(replay.get(i), uninterrupted.get(i));
      }
    }
  }

  @Test
  void theStateOfEveryRankMergesIntoOneThatEachRankResumesFrom() {
    DataSpec spec = TestCorpus.pretraining(96, 2);
    try (DataPipeline r0 = pipeline(spec, 1).rank(0, 2).build();
        DataPipeline r1 = pipeline(spec, 1).rank(1, 2).build()) {
      rows(r0, 5);
      rows(r1, 5);
      PipelineState merged = PipelineState.merge(List.of(r0.state(), r1.state()));
      try (DataPipeline resumed1 = pipeline(spec, 1).rank(1, 2).resumeFrom(merged).build()) {
        assertSameSequence(resumed1.nextBatch().sequences().getFirst(), r1.nextBatch().sequences().getFirst());
      }
      assertThatThrownBy(() -> pipeline(spec, 4).resumeFrom(merged).build())
          .isInstanceOf(DataPipelineException.class).hasMessageContaining("2 lanes").hasMessageContaining("4 lanes");
    }
  }

  @Test
  void thePrefetcherGivesTheSynchronousBatchesWhateverItsThreadCount() {
    DataSpec spec = TestCorpus.pretraining(128, 4);
    try (DataPipeline synchronous = pipeline(spec, 3).build();
        DataPipeline prefetched = pipeline(spec, 3).build();
        PrefetchingLoader loader = new PrefetchingLoader(prefetched, 2, 2)) {
      for (int b = 0; b < 10; b++) {
        Batch expected = synchronous.nextBatch();
        Batch actual = loader.next();
        for (int row = 0; row < 3; row++) {
          assertSameSequence(actual.sequences().get(row), expected.sequences().get(row));
        }
        assertThat(actual.state()).isEqualTo(expected.state());
      }
    }
  }

  @Test
  void sftConversationsTrainOnlyOnAnswersAndTakeFiveViewsPerImageWithSubImages() {
    DataSpec spec = new DataSpec();
    spec.sources = List.of(TestCorpus.source("sft", DataSourceKind.SFT, "sft", 1));
    spec.sequenceLength = 512;
    spec.maxImagesPerSequence = 10;
    spec.imageResolution = 16;
    spec.subImageDecomposition = true;
    try (DataPipeline pipeline = pipeline(spec, 1).build()) {
      for (int b = 0; b < 5; b++) {
        PackedSequence sequence = pipeline.nextBatch().sequences().getFirst();
        assertThat(sequence.images().size() % 5).isZero();
        assertThat(sequence.images()).extracting(PackedImage::view).startsWith(0, 1, 2, 3, 4);
        boolean inUserTurn = false;
        int supervised = 0;
        for (int i = 0; i < sequence.tokens().length; i++) {
          int token = sequence.tokens()[i];
          if (token == tokenizer.userRole()) {
            inUserTurn = true;
          } else if (token == tokenizer.assistantRole()) {
            inUserTurn = false;
            assertThat(sequence.lossMask()[i]).isZero();
          }
          if (inUserTurn) {
            assertThat(sequence.lossMask()[i]).as("user turn at %d", i).isZero();
          }
          supervised += sequence.lossMask()[i];
        }
        assertThat(supervised).isPositive();
      }
    }
  }

  @Test
  void settingsThatCannotWorkFailAtStartNamingTheField() {
    DataSpec spec = TestCorpus.pretraining(16, 2);
    assertThatThrownBy(() -> pipeline(spec, 1).imageTokens(32).build()).hasMessageContaining("data.sources[0]")
        .hasMessageContaining("sequenceLength is 16");
    DataSpec noImages = TestCorpus.pretraining(128, 0);
    assertThatThrownBy(() -> pipeline(noImages, 1).build()).hasMessageContaining("maxImagesPerSequence is 0");
    DataSpec tooFew = new DataSpec();
    tooFew.sources = List.of(TestCorpus.source("text", DataSourceKind.Text, "text/shard-000000.tar", 1));
    tooFew.imageResolution = 16;
    try (DataPipeline pipeline = pipeline(tooFew, 100).build()) {
      assertThatThrownBy(pipeline::nextBatch).isInstanceOf(DataPipelineException.class)
          .hasMessageContaining("lane 64 of 100").hasMessageContaining("at least one sample per lane");
    }
  }

  @Test
  void closingTheLoaderStopsItsThreadsEvenWithFullQueues() throws Exception {
    DataSpec spec = TestCorpus.pretraining(96, 2);
    try (DataPipeline pipeline = pipeline(spec, 4).build()) {
      PrefetchingLoader loader = new PrefetchingLoader(pipeline, 2, 2);
      loader.next();
      Thread.sleep(200); // let the threads fill their queues and block
      loader.close();
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("mm1-data-") && t.isAlive());
      assertThatThrownBy(loader::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }
}
