package dev.mm1.evaluator.gate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.v1alpha1.BenchmarkSpec;
import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.api.v1alpha1.DatasetFormat;
import dev.mm1.evaluator.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmarks of {@code ./mm1 gate --benchmarks}: each value is a YAML or JSON file (a list of
 * benchmarks, an object with {@code benchmarks}, or an MM1Eval manifest whose
 * {@code spec.benchmarks} is taken), or one benchmark inline as
 * {@code name=coco,task=Captioning,uri=pvc:datasets/coco[,dataset=coco-karpathy-test][,shots=0/4/8][,maxSamples=500][,maxNewTokens=32][,format=CocoKarpathy][,seed=1][,shuffleImages=true]}
 * (a prompt template needs a file).
 */
final class BenchmarkArguments {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private BenchmarkArguments() {}

  static List<BenchmarkSpec> parse(List<String> values) {
    List<BenchmarkSpec> benchmarks = new ArrayList<>();
    for (String value : values) {
      if (!value.contains("=") && (Files.exists(Path.of(value)) || value.endsWith(".yaml") || value.endsWith(".yml")
          || value.endsWith(".json"))) {
        benchmarks.addAll(file(Path.of(value)));
      } else {
        benchmarks.add(inline(value));
      }
    }
    return benchmarks;
  }

  static List<BenchmarkSpec> file(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InvalidInputException("--benchmarks: " + file + " does not exist");
    } catch (IOException e) {
      throw new InvalidInputException("--benchmarks: " + file + " is not valid YAML or JSON: " + e.getMessage());
    }
    JsonNode list = root == null ? null : root.isArray() ? root
        : root.has("benchmarks") ? root.get("benchmarks") : root.path("spec").get("benchmarks");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new InvalidInputException("--benchmarks: " + file + " holds no benchmarks: expected a list, "
          + "{benchmarks: [...]} or an MM1Eval manifest with spec.benchmarks");
    }
    List<BenchmarkSpec> benchmarks = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      try {
        benchmarks.add(YAML.treeToValue(list.get(i), BenchmarkSpec.class));
      } catch (IOException e) {
        throw new InvalidInputException("--benchmarks: " + file + ": benchmark " + i + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return benchmarks;
  }

  static BenchmarkSpec inline(String text) {
    BenchmarkSpec benchmark = new BenchmarkSpec();
    for (String pair : text.split(",")) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new InvalidInputException("--benchmarks: '" + pair + "' in '" + text + "' is not key=value; expected "
            + "name=NAME,task=Captioning|VQA,uri=URI[,dataset=...][,shots=0/4/8][,maxSamples=N][,maxNewTokens=N], or a file");
      }
      String key = pair.substring(0, equals).trim();
      String value = pair.substring(equals + 1).trim();
      switch (key) {
        case "name" -> benchmark.name = value;
        case "task" -> benchmark.task = constant(BenchmarkTask.class, key, value);
        case "dataset" -> benchmark.dataset = value;
        case "uri" -> benchmark.uri = value;
        case "shots" -> benchmark.shots = Arrays.stream(value.split("/")).map(s -> number("shots", s, text)).toList();
        case "maxSamples" -> benchmark.maxSamples = number(key, value, text);
        case "maxNewTokens" -> benchmark.maxNewTokens = number(key, value, text);
        case "format" -> benchmark.format = constant(DatasetFormat.class, key, value);
        case "seed" -> benchmark.seed = (long) number(key, value, text);
        case "shuffleImages" -> benchmark.shuffleImages = switch (value) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new InvalidInputException("--benchmarks: shuffleImages is true or false, not '" + value + "' in '" + text + "'");
        };
        default -> throw new InvalidInputException("--benchmarks: unknown key '" + key + "' in '" + text
            + "'; allowed: name, task, dataset, uri, shots, maxSamples, maxNewTokens, format, seed, shuffleImages");
      }
    }
    if (benchmark.name == null || benchmark.task == null || benchmark.uri == null) {
      throw new InvalidInputException("--benchmarks: '" + text + "' needs name, task and uri");
    }
    if (benchmark.dataset == null) {
      benchmark.dataset = benchmark.name;
    }
    return benchmark;
  }

  /** An enum constant by name, any case: "vqa" is VQA. */
  private static <E extends Enum<E>> E constant(Class<E> type, String key, String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    throw new InvalidInputException("--benchmarks: unknown " + key + " '" + value + "'; allowed: "
        + Arrays.toString(type.getEnumConstants()));
  }

  private static Integer number(String key, String value, String text) {
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("--benchmarks: " + key + " '" + value + "' in '" + text + "' is not a whole number");
    }
  }
}
