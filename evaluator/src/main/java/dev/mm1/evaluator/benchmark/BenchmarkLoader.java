package dev.mm1.evaluator.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.api.v1alpha1.DatasetFormat;
import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.data.CaptionReferences;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.data.JsonInput;
import dev.mm1.evaluator.data.VqaAnnotations;
import dev.mm1.evaluator.metrics.VqaAccuracy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads benchmark datasets in their published layouts from a directory (see evaluator/README.md
 * for each layout). The layout is named by {@code BenchmarkSpec.format} or, with {@code Auto},
 * found from the files present. Every image a sample names must exist; a missing file is an error
 * naming it. Where a layout has a training split, few-shot examples come from it; where it has none
 * (NoCaps), from the test set itself (the prompt never shows the query's own image).
 */
public final class BenchmarkLoader {
  /** Where annotation files may sit below the dataset directory. */
  private static final List<String> ANNOTATION_DIRS = List.of("", "annotations", "Annotations");

  private BenchmarkLoader() {}

  /** The layout of {@code directory} for {@code task}, or an error listing what was looked for. */
  public static DatasetFormat detect(Path directory, BenchmarkTask task) {
    requireDirectory(directory);
    List<DatasetFormat> candidates = task == BenchmarkTask.Captioning
        ? List.of(DatasetFormat.Synthetic, DatasetFormat.CocoKarpathy, DatasetFormat.NoCaps, DatasetFormat.TextCaps)
        : List.of(DatasetFormat.Synthetic, DatasetFormat.VQAv2, DatasetFormat.OKVQA, DatasetFormat.TextVQA, DatasetFormat.VizWiz);
    for (DatasetFormat format : candidates) {
      if (present(directory, format, task)) {
        return format;
      }
    }
    throw new InvalidInputException(directory + ": no " + task + " dataset layout found; looked for "
        + (task == BenchmarkTask.Captioning
            ? "captions_test.json (Synthetic), dataset_coco.json (CocoKarpathy), nocaps_val_4500_captions.json (NoCaps), "
                + "TextCaps_0.1_val.json (TextCaps)"
            : "questions_test.json + annotations_test.json (Synthetic), v2_OpenEnded_mscoco_val2014_questions.json (VQAv2), "
                + "OpenEnded_mscoco_val2014_questions.json (OKVQA), TextVQA_0.5.1_val.json (TextVQA), Annotations/val.json (VizWiz)")
        + ", also under annotations/; or set the benchmark's format");
  }

  public static CaptionBenchmark captioning(Path directory, DatasetFormat format) {
    DatasetFormat layout = format == null || format == DatasetFormat.Auto ? detect(directory, BenchmarkTask.Captioning) : format;
    requireDirectory(directory);
    return switch (layout) {
      case Synthetic -> synthCaptions(directory);
      case CocoKarpathy -> cocoKarpathy(directory);
      case NoCaps -> noCaps(directory);
      case TextCaps -> textCaps(directory);
      default -> throw new InvalidInputException("format " + layout + " is a VQA layout; a Captioning benchmark reads one of "
          + "Synthetic, CocoKarpathy, NoCaps, TextCaps");
    };
  }

  public static VqaBenchmark vqa(Path directory, DatasetFormat format) {
    DatasetFormat layout = format == null || format == DatasetFormat.Auto ? detect(directory, BenchmarkTask.VQA) : format;
    requireDirectory(directory);
    return switch (layout) {
      case Synthetic -> synthVqa(directory);
      case VQAv2 -> cocoVqa(directory, layout, "v2_OpenEnded_mscoco_%s2014_questions.json", "v2_mscoco_%s2014_annotations.json");
      case OKVQA -> cocoVqa(directory, layout, "OpenEnded_mscoco_%s2014_questions.json", "mscoco_%s2014_annotations.json");
      case TextVQA -> textVqa(directory);
      case VizWiz -> vizWiz(directory);
      default -> throw new InvalidInputException("format " + layout + " is a captioning layout; a VQA benchmark reads one of "
          + "Synthetic, VQAv2, OKVQA, TextVQA, VizWiz");
    };
  }

  private static boolean present(Path directory, DatasetFormat format, BenchmarkTask task) {
    return switch (format) {
      case Synthetic -> task == BenchmarkTask.Captioning ? find(directory, "captions_test.json").isPresent()
          : find(directory, "questions_test.json").isPresent() && find(directory, "annotations_test.json").isPresent();
      case CocoKarpathy -> find(directory, "dataset_coco.json").isPresent();
      case NoCaps -> find(directory, "nocaps_val_4500_captions.json").isPresent();
      case TextCaps -> find(directory, "TextCaps_0.1_val.json").isPresent();
      case VQAv2 -> find(directory, "v2_OpenEnded_mscoco_val2014_questions.json").isPresent();
      case OKVQA -> find(directory, "OpenEnded_mscoco_val2014_questions.json").isPresent();
      case TextVQA -> find(directory, "TextVQA_0.5.1_val.json").isPresent();
      case VizWiz -> find(directory, "val.json").filter(BenchmarkLoader::looksLikeVizWiz).isPresent();
      case Auto -> false;
    };
  }

  // ---- captioning layouts ----

  /** {@code captions_test.json}, {@code captions_support.json} (COCO captions) and {@code images/FILE_NAME}. */
  private static CaptionBenchmark synthCaptions(Path directory) {
    Path test = required(directory, "captions_test.json", DatasetFormat.Synthetic);
    List<CaptionSample> testSamples = cocoCaptions(test, directory.resolve("images"));
    List<CaptionSample> support = find(directory, "captions_support.json")
        .map(file -> cocoCaptions(file, directory.resolve("images"))).orElse(testSamples);
    return new CaptionBenchmark(directory.toString(), DatasetFormat.Synthetic, testSamples, support);
  }

  /** {@code nocaps_val_4500_captions.json} (COCO captions, file_name = Open Images id) and the images beside it. */
  private static CaptionBenchmark noCaps(Path directory) {
    Path file = required(directory, "nocaps_val_4500_captions.json", DatasetFormat.NoCaps);
    Path images = firstDirectory(directory, "validation", "val", "images", "");
    List<CaptionSample> samples = cocoCaptions(file, images);
    return new CaptionBenchmark(directory.toString(), DatasetFormat.NoCaps, samples, samples);
  }

  /** A COCO captions file whose images sit in {@code imageDirectory} under their file_name. */
  private static List<CaptionSample> cocoCaptions(Path file, Path imageDirectory) {
    CaptionReferences references = CaptionReferences.readCoco(file);
    List<CaptionSample> samples = new ArrayList<>();
    JsonInput.streamArrays(file, Map.of("images", (i, image) -> {
      ItemId id = JsonInput.id(file, "images[" + i + "]", image, "id");
      String fileName = JsonInput.text(file, "images[" + i + "]", image, "file_name");
      samples.add(new CaptionSample(id, image(imageDirectory.resolve(fileName), file, "image " + id),
          references.captions().get(id)));
    }));
    return samples;
  }

  /**
   * Karpathy's {@code dataset_coco.json}: images with split, filepath, filename, cocoid and
   * sentences (the raw captions); test is the "test" split, shots come from "train" and "restval".
   */
  private static CaptionBenchmark cocoKarpathy(Path directory) {
    Path file = required(directory, "dataset_coco.json", DatasetFormat.CocoKarpathy);
    List<CaptionSample> test = new ArrayList<>();
    List<CaptionSample> support = new ArrayList<>();
    JsonInput.streamArrays(file, Map.of("images", (i, element) -> {
      String entry = "images[" + i + "]";
      JsonNode image = JsonInput.object(file, element, i);
      String split = JsonInput.text(file, entry, image, "split");
      if (!List.of("test", "train", "restval").contains(split)) {
        return;
      }
      ItemId id = JsonInput.id(file, entry, image, "cocoid");
      List<String> captions = new ArrayList<>();
      JsonNode sentences = image.get("sentences");
      if (sentences == null || !sentences.isArray() || sentences.isEmpty()) {
        throw InvalidInputException.atEntry(file, entry, "needs a non-empty \"sentences\" array");
      }
      for (int s = 0; s < sentences.size(); s++) {
        captions.add(JsonInput.text(file, entry + ".sentences[" + s + "]", sentences.get(s), "raw"));
      }
      Path path = directory.resolve(JsonInput.text(file, entry, image, "filepath"))
          .resolve(JsonInput.text(file, entry, image, "filename"));
      (split.equals("test") ? test : support).add(new CaptionSample(id, image(path, file, "cocoid " + id), captions));
    }));
    return new CaptionBenchmark(directory.toString(), DatasetFormat.CocoKarpathy, nonEmpty(test, file, "test split"),
        support.isEmpty() ? test : support);
  }

  /**
   * {@code TextCaps_0.1_val.json} (and {@code _train.json} for shots): {@code data} has one entry per
   * caption with image_id and reference_strs (the image's five references); images are
   * {@code train_images/IMAGE_ID.jpg} (TextCaps' val images are TextVQA's train_val_images).
   */
  private static CaptionBenchmark textCaps(Path directory) {
    Path val = required(directory, "TextCaps_0.1_val.json", DatasetFormat.TextCaps);
    List<CaptionSample> test = textCapsFile(directory, val);
    List<CaptionSample> support = find(directory, "TextCaps_0.1_train.json").map(f -> textCapsFile(directory, f)).orElse(test);
    return new CaptionBenchmark(directory.toString(), DatasetFormat.TextCaps, test, support);
  }

  private static List<CaptionSample> textCapsFile(Path directory, Path file) {
    Map<ItemId, CaptionSample> byImage = new LinkedHashMap<>();
    JsonInput.streamArrays(file, Map.of("data", (i, element) -> {
      String entry = "data[" + i + "]";
      JsonNode item = JsonInput.object(file, element, i);
      ItemId id = JsonInput.id(file, entry, item, "image_id");
      if (byImage.containsKey(id)) {
        return;
      }
      JsonNode references = item.get("reference_strs");
      List<String> captions = new ArrayList<>();
      if (references != null && references.isArray() && !references.isEmpty()) {
        references.forEach(r -> captions.add(r.asText()));
      } else {
        captions.add(JsonInput.text(file, entry, item, "caption_str"));
      }
      byImage.put(id, new CaptionSample(id, textImage(directory, file, item, entry, id), captions));
    }));
    return nonEmpty(new ArrayList<>(byImage.values()), file, "data");
  }

  // ---- VQA layouts ----

  /** {@code questions_test.json} + {@code annotations_test.json} (VQAv2), support likewise, {@code images/FILE_NAME}. */
  private static VqaBenchmark synthVqa(Path directory) {
    List<VqaSample> test = vqaV2Split(directory, required(directory, "questions_test.json", DatasetFormat.Synthetic),
        required(directory, "annotations_test.json", DatasetFormat.Synthetic), null);
    Optional<Path> supportQuestions = find(directory, "questions_support.json");
    Optional<Path> supportAnnotations = find(directory, "annotations_support.json");
    List<VqaSample> support = supportQuestions.isPresent() && supportAnnotations.isPresent()
        ? vqaV2Split(directory, supportQuestions.get(), supportAnnotations.get(), null) : test;
    return new VqaBenchmark(directory.toString(), DatasetFormat.Synthetic, test, support);
  }

  /**
   * VQAv2 and OK-VQA: the val2014 questions and annotations (test) and, when present, the
   * train2014 ones (shots), with COCO's images {@code val2014/COCO_val2014_%012d.jpg}.
   */
  private static VqaBenchmark cocoVqa(Path directory, DatasetFormat format, String questions, String annotations) {
    List<VqaSample> test = vqaV2Split(directory, required(directory, questions.formatted("val"), format),
        required(directory, annotations.formatted("val"), format), cocoImage(directory, "val2014"));
    Optional<Path> trainQuestions = find(directory, questions.formatted("train"));
    Optional<Path> trainAnnotations = find(directory, annotations.formatted("train"));
    List<VqaSample> support = trainQuestions.isPresent() && trainAnnotations.isPresent()
        ? vqaV2Split(directory, trainQuestions.get(), trainAnnotations.get(), cocoImage(directory, "train2014")) : test;
    return new VqaBenchmark(directory.toString(), format, test, support);
  }

  private static java.util.function.Function<ItemId, Path> cocoImage(Path directory, String split) {
    Path images = firstDirectory(directory, split, "images/" + split, "coco/" + split, "images");
    return id -> images.resolve(String.format("COCO_%s_%012d.jpg", split, Long.parseLong(id.text())));
  }

  /**
   * A VQAv2-format pair. Images come from {@code imageOf} or, when it is null, from the questions
   * file's own {@code images} list ({@code images/FILE_NAME}), as the synthetic sets write.
   */
  private static List<VqaSample> vqaV2Split(Path directory, Path questions, Path annotations,
      java.util.function.Function<ItemId, Path> imageOf) {
    VqaAnnotations truth = VqaAnnotations.readVqaV2(questions, annotations);
    Map<ItemId, String> fileNames = new LinkedHashMap<>();
    if (imageOf == null) {
      JsonInput.streamArrays(questions, Map.of("images", (i, image) -> fileNames.put(
          JsonInput.id(questions, "images[" + i + "]", image, "id"), JsonInput.text(questions, "images[" + i + "]", image, "file_name"))));
    }
    List<VqaSample> samples = new ArrayList<>();
    truth.questions().forEach((questionId, entry) -> {
      Path path = imageOf == null ? null : imageOf.apply(entry.imageId());
      if (path == null) {
        String fileName = fileNames.get(entry.imageId());
        if (fileName == null) {
          throw InvalidInputException.atEntry(questions, "question_id " + questionId,
              "image_id " + entry.imageId() + " is not in the file's \"images\" list, so its file is unknown");
        }
        path = directory.resolve("images").resolve(fileName);
      }
      samples.add(new VqaSample(questionId, image(path, annotations, "question_id " + questionId), entry));
    });
    return samples;
  }

  /**
   * {@code TextVQA_0.5.1_val.json} (and {@code _train.json} for shots): {@code data} with question_id,
   * question, image_id and ten answer strings; images {@code train_images/IMAGE_ID.jpg}.
   */
  private static VqaBenchmark textVqa(Path directory) {
    List<VqaSample> test = textVqaFile(directory, required(directory, "TextVQA_0.5.1_val.json", DatasetFormat.TextVQA));
    List<VqaSample> support = find(directory, "TextVQA_0.5.1_train.json").map(f -> textVqaFile(directory, f)).orElse(test);
    return new VqaBenchmark(directory.toString(), DatasetFormat.TextVQA, test, support);
  }

  private static List<VqaSample> textVqaFile(Path directory, Path file) {
    List<VqaSample> samples = new ArrayList<>();
    JsonInput.streamArrays(file, Map.of("data", (i, element) -> {
      String entry = "data[" + i + "]";
      JsonNode item = JsonInput.object(file, element, i);
      ItemId questionId = JsonInput.id(file, entry, item, "question_id");
      ItemId imageId = JsonInput.id(file, entry, item, "image_id");
      var truth = new VqaAnnotations.Entry(imageId, JsonInput.text(file, entry, item, "question"), null,
          JsonInput.optionalText(file, entry, item, "answer_type"), numberedAnswers(file, entry, item));
      samples.add(new VqaSample(questionId, textImage(directory, file, item, entry, imageId), truth));
    }));
    return nonEmpty(samples, file, "data");
  }

  /**
   * VizWiz: {@code Annotations/val.json} (and {@code train.json} for shots), a list of
   * {@code {image, question, answers: [{answer, answer_confidence}], answer_type}}; images
   * {@code val/IMAGE} and {@code train/IMAGE}. One question per image, so the image file name is
   * the question id.
   */
  private static VqaBenchmark vizWiz(Path directory) {
    Path val = find(directory, "val.json").filter(BenchmarkLoader::looksLikeVizWiz)
        .orElseThrow(() -> missing(directory, "Annotations/val.json", DatasetFormat.VizWiz));
    List<VqaSample> test = vizWizFile(directory, val, "val");
    List<VqaSample> support = find(directory, "train.json").filter(BenchmarkLoader::looksLikeVizWiz)
        .map(f -> vizWizFile(directory, f, "train")).orElse(test);
    return new VqaBenchmark(directory.toString(), DatasetFormat.VizWiz, test, support);
  }

  private static List<VqaSample> vizWizFile(Path directory, Path file, String split) {
    JsonNode root = JsonInput.topArray(file, JsonInput.read(file), "VizWiz questions");
    Path images = firstDirectory(directory, split, "Images/" + split, "images/" + split, "images", "");
    List<VqaSample> samples = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      String entry = "[" + i + "]";
      JsonNode item = JsonInput.object(file, root.get(i), i);
      String image = JsonInput.text(file, entry, item, "image");
      ItemId id = ItemId.ofText(image);
      var truth = new VqaAnnotations.Entry(id, JsonInput.text(file, entry, item, "question"), null,
          JsonInput.optionalText(file, entry, item, "answer_type"), numberedAnswers(file, entry, item));
      samples.add(new VqaSample(id, image(images.resolve(image), file, "image " + image), truth));
    }
    return nonEmpty(samples, file, "the list");
  }

  /**
   * Human answers as VQAv2 records: strings (TextVQA) or records without an id (VizWiz) get
   * answer_id 1..n, so that equal answers of different annotators stay different records, as in
   * VQAv2 (the official accuracy compares whole records).
   */
  private static List<VqaAccuracy.HumanAnswer> numberedAnswers(Path file, String entry, JsonNode item) {
    JsonNode answers = item.get("answers");
    if (answers == null || !answers.isArray() || answers.isEmpty()) {
      throw InvalidInputException.atEntry(file, entry, "needs a non-empty \"answers\" array");
    }
    List<VqaAccuracy.HumanAnswer> out = new ArrayList<>();
    for (int a = 0; a < answers.size(); a++) {
      JsonNode answer = answers.get(a);
      ObjectNode rest = JsonInput.JSON.createObjectNode();
      String text;
      if (answer.isTextual()) {
        text = answer.asText();
      } else if (answer.isObject()) {
        text = JsonInput.text(file, entry + ".answers[" + a + "]", answer, "answer");
        rest.setAll(((ObjectNode) answer).deepCopy());
        rest.remove("answer");
      } else {
        throw InvalidInputException.atEntry(file, entry + ".answers[" + a + "]", "must be a string or {\"answer\": ...}");
      }
      if (!rest.has("answer_id")) {
        rest.put("answer_id", a + 1);
      }
      out.add(new VqaAccuracy.HumanAnswer(text, rest));
    }
    return out;
  }

  // ---- files and images ----

  private static Path textImage(Path directory, Path file, JsonNode item, String entry, ItemId imageId) {
    String declared = item.hasNonNull("image_path") ? item.get("image_path").asText() : null;
    List<Path> candidates = new ArrayList<>();
    if (declared != null) {
      candidates.add(directory.resolve(declared));
    }
    candidates.add(directory.resolve("train_images").resolve(imageId.text() + ".jpg"));
    candidates.add(directory.resolve("images").resolve(imageId.text() + ".jpg"));
    return candidates.stream().filter(Files::isRegularFile).findFirst()
        .orElseThrow(() -> InvalidInputException.atEntry(file, entry + " (image_id " + imageId + ")",
            "its image is missing: looked for " + candidates.stream().map(Path::toString).toList()));
  }

  private static Path image(Path path, Path file, String entry) {
    if (!Files.isRegularFile(path)) {
      throw InvalidInputException.atEntry(file, entry, "its image " + path + " does not exist");
    }
    return path;
  }

  /** {@code name} in the directory or its annotation subdirectories. */
  static Optional<Path> find(Path directory, String name) {
    return ANNOTATION_DIRS.stream().map(sub -> sub.isEmpty() ? directory.resolve(name) : directory.resolve(sub).resolve(name))
        .filter(Files::isRegularFile).findFirst();
  }

  private static Path required(Path directory, String name, DatasetFormat format) {
    return find(directory, name).orElseThrow(() -> missing(directory, name, format));
  }

  private static InvalidInputException missing(Path directory, String name, DatasetFormat format) {
    return new InvalidInputException(directory + ": the " + format + " layout needs " + name
        + " (in the directory or its annotations/ or Annotations/ subdirectory); it is missing");
  }

  private static Path firstDirectory(Path directory, String... candidates) {
    for (String candidate : candidates) {
      Path path = candidate.isEmpty() ? directory : directory.resolve(candidate);
      if (Files.isDirectory(path)) {
        return path;
      }
    }
    return directory.resolve(candidates[0]);
  }

  private static boolean looksLikeVizWiz(Path file) {
    try (var in = Files.newBufferedReader(file)) {
      char[] head = new char[2048];
      int read = in.read(head);
      return read > 0 && new String(head, 0, read).contains("VizWiz_");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static void requireDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new InvalidInputException(directory + ": the dataset directory does not exist");
    }
  }

  private static <T> List<T> nonEmpty(List<T> samples, Path file, String what) {
    if (samples.isEmpty()) {
      throw InvalidInputException.inFile(file, what + " holds no samples");
    }
    return samples;
  }
}
