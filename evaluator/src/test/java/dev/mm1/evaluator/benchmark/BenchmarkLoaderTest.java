package dev.mm1.evaluator.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.api.v1alpha1.DatasetFormat;
import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.data.ItemId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each published layout, written small by the test in its exact file names and fields, is found by
 * Auto, read with its test and support splits, and its missing files are named.
 */
class BenchmarkLoaderTest {
  @TempDir Path dir;

  private Path write(String relative, String content) throws Exception {
    Path path = dir.resolve(relative);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, content);
  }

  private void images(String... relatives) throws Exception {
    for (String relative : relatives) {
      write(relative, "not decoded by the loader");
    }
  }

  @Test
  void cocoKarpathyTestSplitWithShotsFromTrainAndRestval() throws Exception {
    write("dataset_coco.json", """
        {"dataset": "coco", "images": [
          {"filepath": "val2014", "filename": "COCO_val2014_000000391895.jpg", "imgid": 0, "split": "test",
           "cocoid": 391895, "sentids": [0, 1],
           "sentences": [{"tokens": ["a", "man"], "raw": "A man riding a bike.", "imgid": 0, "sentid": 0},
                         {"tokens": ["a", "cyclist"], "raw": "A cyclist on a road.", "imgid": 0, "sentid": 1}]},
          {"filepath": "train2014", "filename": "COCO_train2014_000000000009.jpg", "imgid": 1, "split": "train",
           "cocoid": 9, "sentids": [2], "sentences": [{"tokens": [], "raw": "A plate of food.", "imgid": 1, "sentid": 2}]},
          {"filepath": "val2014", "filename": "COCO_val2014_000000000042.jpg", "imgid": 2, "split": "restval",
           "cocoid": 42, "sentids": [3], "sentences": [{"tokens": [], "raw": "A dog.", "imgid": 2, "sentid": 3}]},
          {"filepath": "val2014", "filename": "COCO_val2014_000000000073.jpg", "imgid": 3, "split": "val",
           "cocoid": 73, "sentids": [4], "sentences": [{"tokens": [], "raw": "A cat.", "imgid": 3, "sentid": 4}]}]}""");
    images("val2014/COCO_val2014_000000391895.jpg", "train2014/COCO_train2014_000000000009.jpg",
        "val2014/COCO_val2014_000000000042.jpg");

    assertThat(BenchmarkLoader.detect(dir, BenchmarkTask.Captioning)).isEqualTo(DatasetFormat.CocoKarpathy);
    CaptionBenchmark benchmark = BenchmarkLoader.captioning(dir, DatasetFormat.Auto);
    assertThat(benchmark.test()).singleElement().satisfies(sample -> {
      assertThat(sample.imageId()).isEqualTo(ItemId.ofNumber("391895"));
      assertThat(sample.references()).containsExactly("A man riding a bike.", "A cyclist on a road.");
      assertThat(sample.image()).isEqualTo(dir.resolve("val2014/COCO_val2014_000000391895.jpg"));
    });
    assertThat(benchmark.support()).extracting(CaptionSample::imageId)
        .containsExactly(ItemId.ofNumber("9"), ItemId.ofNumber("42"));
    assertThat(benchmark.references().captions().get(ItemId.ofNumber("391895"))).hasSize(2);
  }

  @Test
  void noCapsValidationIsItsOwnSupport() throws Exception {
    write("nocaps_val_4500_captions.json", """
        {"licenses": [], "info": {"version": "0.1"},
         "images": [{"id": 0, "open_images_id": "0013ea2087020901", "height": 1024, "width": 732, "coco_url": "",
                     "file_name": "0013ea2087020901.jpg", "license": 0, "domain": "in-domain"},
                    {"id": 1, "open_images_id": "002e8fbd8a7b4b0d", "height": 683, "width": 1024, "coco_url": "",
                     "file_name": "002e8fbd8a7b4b0d.jpg", "license": 0, "domain": "out-domain"}],
         "annotations": [{"image_id": 0, "id": 0, "caption": "A baby in a cradle."},
                         {"image_id": 1, "id": 1, "caption": "A jellyfish in the sea."},
                         {"image_id": 0, "id": 2, "caption": "An infant sleeping."}]}""");
    images("validation/0013ea2087020901.jpg", "validation/002e8fbd8a7b4b0d.jpg");

    CaptionBenchmark benchmark = BenchmarkLoader.captioning(dir, DatasetFormat.Auto);
    assertThat(benchmark.format()).isEqualTo(DatasetFormat.NoCaps);
    assertThat(benchmark.test()).hasSize(2);
    assertThat(benchmark.test().getFirst().references()).containsExactly("A baby in a cradle.", "An infant sleeping.");
    assertThat(benchmark.support()).isEqualTo(benchmark.test());
  }

  @Test
  void textCapsGroupsCaptionEntriesByImage() throws Exception {
    String entry = """
        {"image_id": "%s", "image_classes": ["Poster"], "flickr_original_url": "", "flickr_300k_url": "",
         "image_width": 1024, "image_height": 768, "set_name": "%s", "image_name": "%s", "image_path": "train/%s.jpg",
         "caption_id": %d, "caption_str": "%s", "caption_tokens": [],
         "reference_strs": ["a sign that says stop", "a red stop sign"], "reference_tokens": []}""";
    write("TextCaps_0.1_val.json", "{\"dataset_type\": \"val\", \"dataset_name\": \"textcaps\", \"data\": ["
        + entry.formatted("011e7e629fb9ae7b", "val", "011e7e629fb9ae7b", "011e7e629fb9ae7b", 1, "a sign that says stop") + ","
        + entry.formatted("011e7e629fb9ae7b", "val", "011e7e629fb9ae7b", "011e7e629fb9ae7b", 2, "a red stop sign") + "]}");
    write("TextCaps_0.1_train.json", "{\"dataset_type\": \"train\", \"data\": ["
        + entry.formatted("aaaa", "train", "aaaa", "aaaa", 3, "a bottle of coke") + "]}");
    images("train_images/011e7e629fb9ae7b.jpg", "train_images/aaaa.jpg");

    CaptionBenchmark benchmark = BenchmarkLoader.captioning(dir, DatasetFormat.TextCaps);
    assertThat(benchmark.test()).singleElement().satisfies(sample -> {
      assertThat(sample.imageId()).isEqualTo(ItemId.ofText("011e7e629fb9ae7b"));
      assertThat(sample.references()).containsExactly("a sign that says stop", "a red stop sign");
      assertThat(sample.image()).isEqualTo(dir.resolve("train_images/011e7e629fb9ae7b.jpg"));
    });
    assertThat(benchmark.support()).extracting(CaptionSample::imageId).containsExactly(ItemId.ofText("aaaa"));
  }

  @Test
  void vqaV2WithTrainForShotsAndCocoImages() throws Exception {
    String questions = """
        {"info": {}, "task_type": "Open-Ended", "data_type": "mscoco", "license": {}, "data_subtype": "%s2014",
         "questions": [{"image_id": %d, "question": "What color is the bus?", "question_id": %d}]}""";
    String annotations = """
        {"info": {}, "license": {}, "data_subtype": "%s2014", "annotations": [{"question_type": "what color is the",
         "multiple_choice_answer": "red", "answers": [{"answer": "red", "answer_confidence": "yes", "answer_id": 1},
         {"answer": "red", "answer_confidence": "maybe", "answer_id": 2}], "image_id": %d, "answer_type": "other",
         "question_id": %d}]}""";
    write("annotations/v2_OpenEnded_mscoco_val2014_questions.json", questions.formatted("val", 42, 42000));
    write("annotations/v2_mscoco_val2014_annotations.json", annotations.formatted("val", 42, 42000));
    write("annotations/v2_OpenEnded_mscoco_train2014_questions.json", questions.formatted("train", 9, 9000));
    write("annotations/v2_mscoco_train2014_annotations.json", annotations.formatted("train", 9, 9000));
    images("val2014/COCO_val2014_000000000042.jpg", "train2014/COCO_train2014_000000000009.jpg");

    VqaBenchmark benchmark = BenchmarkLoader.vqa(dir, DatasetFormat.Auto);
    assertThat(benchmark.format()).isEqualTo(DatasetFormat.VQAv2);
    assertThat(benchmark.test()).singleElement().satisfies(sample -> {
      assertThat(sample.questionId()).isEqualTo(ItemId.ofNumber("42000"));
      assertThat(sample.question()).isEqualTo("What color is the bus?");
      assertThat(sample.image()).isEqualTo(dir.resolve("val2014/COCO_val2014_000000000042.jpg"));
      assertThat(sample.truth().answerType()).isEqualTo("other");
      assertThat(sample.exampleAnswer()).isEqualTo("red");
    });
    assertThat(benchmark.support()).extracting(VqaSample::questionId).containsExactly(ItemId.ofNumber("9000"));
    assertThat(benchmark.annotations().questions()).containsOnlyKeys(ItemId.ofNumber("42000"));
  }

  @Test
  void okVqaUsesItsOwnFileNames() throws Exception {
    write("OpenEnded_mscoco_val2014_questions.json", """
        {"questions": [{"image_id": 7, "question": "What sport is this?", "question_id": 70}]}""");
    write("mscoco_val2014_annotations.json", """
        {"annotations": [{"image_id": 7, "question_id": 70, "question_type": "one", "answer_type": "other",
          "answers": [{"answer": "tennis", "answer_id": 1, "raw_answer": "tennis", "answer_confidence": "yes"}]}]}""");
    images("val2014/COCO_val2014_000000000007.jpg");

    assertThat(BenchmarkLoader.detect(dir, BenchmarkTask.VQA)).isEqualTo(DatasetFormat.OKVQA);
    VqaBenchmark benchmark = BenchmarkLoader.vqa(dir, DatasetFormat.OKVQA);
    assertThat(benchmark.test()).hasSize(1);
    assertThat(benchmark.support()).isEqualTo(benchmark.test());
  }

  @Test
  void textVqaAnswersBecomeNumberedRecords() throws Exception {
    write("TextVQA_0.5.1_val.json", """
        {"dataset_type": "val", "dataset_name": "textvqa", "dataset_version": "0.5.1", "data": [
          {"question": "what brand is this?", "image_id": "003a8ae2ef43b901", "image_classes": ["Bottle"],
           "flickr_original_url": "", "flickr_300k_url": "", "image_width": 1024, "image_height": 664,
           "answers": ["coke", "coke", "coca cola", "coke", "coke", "coke", "coke", "coke", "coke", "coke"],
           "question_tokens": ["what", "brand"], "question_id": 34602, "set_name": "val"}]}""");
    images("train_images/003a8ae2ef43b901.jpg");

    VqaBenchmark benchmark = BenchmarkLoader.vqa(dir, DatasetFormat.Auto);
    assertThat(benchmark.format()).isEqualTo(DatasetFormat.TextVQA);
    VqaSample sample = benchmark.test().getFirst();
    assertThat(sample.truth().answers()).hasSize(10);
    assertThat(sample.truth().answers().get(1).otherFields().get("answer_id").asInt()).isEqualTo(2);
    assertThat(sample.exampleAnswer()).isEqualTo("coke");
  }

  @Test
  void vizWizQuestionsAreNamedByTheirImage() throws Exception {
    write("Annotations/val.json", """
        [{"image": "VizWiz_val_00000000.jpg", "question": "What is this?", "answerable": 1, "answer_type": "other",
          "answers": [{"answer": "soup", "answer_confidence": "yes"}, {"answer": "soup", "answer_confidence": "yes"},
                      {"answer": "unanswerable", "answer_confidence": "no"}]}]""");
    write("Annotations/train.json", """
        [{"image": "VizWiz_train_00000001.jpg", "question": "Which color?", "answerable": 1, "answer_type": "other",
          "answers": [{"answer": "blue", "answer_confidence": "yes"}]}]""");
    images("val/VizWiz_val_00000000.jpg", "train/VizWiz_train_00000001.jpg");

    VqaBenchmark benchmark = BenchmarkLoader.vqa(dir, DatasetFormat.Auto);
    assertThat(benchmark.format()).isEqualTo(DatasetFormat.VizWiz);
    assertThat(benchmark.test().getFirst().questionId()).isEqualTo(ItemId.ofText("VizWiz_val_00000000.jpg"));
    // The two "soup" records differ by the answer_id the loader adds, as VQAv2's annotators' do.
    assertThat(benchmark.test().getFirst().truth().answers().get(0).otherFields())
        .isNotEqualTo(benchmark.test().getFirst().truth().answers().get(1).otherFields());
    assertThat(benchmark.support().getFirst().image()).isEqualTo(dir.resolve("train/VizWiz_train_00000001.jpg"));
  }

  @Test
  void syntheticSetsAsDataSynthWritesThem() throws Exception {
    write("captions_test.json", """
        {"info": {}, "licenses": [], "type": "captions", "images": [{"id": 1, "file_name": "000000000001.png"}],
         "annotations": [{"id": 10, "image_id": 1, "caption": "A red circle."}]}""");
    write("captions_support.json", """
        {"images": [{"id": 2, "file_name": "000000000002.png"}],
         "annotations": [{"id": 20, "image_id": 2, "caption": "A blue square."}]}""");
    write("questions_test.json", """
        {"task_type": "Open-Ended", "images": [{"id": 1, "file_name": "000000000001.png"}],
         "questions": [{"image_id": 1, "question": "How many shapes are there?", "question_id": 3}]}""");
    write("annotations_test.json", """
        {"annotations": [{"question_id": 3, "image_id": 1, "question_type": "how many", "answer_type": "number",
          "multiple_choice_answer": "1", "answers": [{"answer": "1", "answer_confidence": "yes", "answer_id": 1}]}]}""");
    images("images/000000000001.png", "images/000000000002.png");

    CaptionBenchmark captions = BenchmarkLoader.captioning(dir, DatasetFormat.Auto);
    assertThat(captions.format()).isEqualTo(DatasetFormat.Synthetic);
    assertThat(captions.support()).extracting(CaptionSample::imageId).containsExactly(ItemId.ofNumber("2"));
    VqaBenchmark vqa = BenchmarkLoader.vqa(dir, DatasetFormat.Synthetic);
    assertThat(vqa.test().getFirst().image()).isEqualTo(dir.resolve("images/000000000001.png"));
    assertThat(vqa.support()).isEqualTo(vqa.test());
  }

  @Test
  void aMissingImageIsNamed() throws Exception {
    write("captions_test.json", """
        {"images": [{"id": 1, "file_name": "000000000001.png"}], "annotations": [{"image_id": 1, "caption": "x"}]}""");
    assertThatThrownBy(() -> BenchmarkLoader.captioning(dir, DatasetFormat.Auto))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("captions_test.json: image 1: its image " + dir.resolve("images/000000000001.png") + " does not exist");
  }

  @Test
  void missingFilesAndWrongLayoutsAreNamed() throws Exception {
    assertThatThrownBy(() -> BenchmarkLoader.captioning(dir, DatasetFormat.Auto))
        .hasMessageContaining("no Captioning dataset layout found; looked for captions_test.json (Synthetic), dataset_coco.json");
    assertThatThrownBy(() -> BenchmarkLoader.vqa(dir, DatasetFormat.VQAv2))
        .hasMessageContaining("the VQAv2 layout needs v2_OpenEnded_mscoco_val2014_questions.json");
    assertThatThrownBy(() -> BenchmarkLoader.captioning(dir, DatasetFormat.VizWiz))
        .hasMessageContaining("format VizWiz is a VQA layout");
    assertThatThrownBy(() -> BenchmarkLoader.vqa(dir.resolve("nope"), DatasetFormat.Auto))
        .hasMessageContaining("the dataset directory does not exist");
  }
}
