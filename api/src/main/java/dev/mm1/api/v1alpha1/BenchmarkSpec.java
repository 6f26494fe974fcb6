package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One benchmark: a task, its dataset in the public format, and the shot counts to run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BenchmarkSpec {
  /** Benchmark name, unique in the eval; gates and results refer to it. */
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  public String name;

  /** Task: Captioning (scored with CIDEr-D) or VQA (scored with VQA accuracy). */
  @Required public BenchmarkTask task;

  /** Dataset name as reported in results, e.g. coco-karpathy-test or vqav2-val. */
  @Required
  @Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  public String dataset;

  /** URI of the dataset directory (COCO captions JSON or VQAv2 questions/annotations JSON with images). */
  @Required
  @Pattern("^(file|s3|gs|https?|pvc):.+|^/.+")
  public String uri;

  /** Few-shot example counts to evaluate at, e.g. [0, 4, 8]. */
  @Size(min = 1, max = 16)
  @ListType("set")
  @ValidationRule(value = "self.all(s, s >= 0 && s <= 64)", message = "shot counts are 0 to 64")
  public List<Integer> shots = List.of(0);

  /** Evaluate at most this many samples; unset means the whole test split. */
  @Min(1)
  public Integer maxSamples;

  /** Longest generated answer in tokens. */
  @Min(1)
  @Max(1024)
  public Integer maxNewTokens = 32;

  /** File layout of the dataset at uri; Auto finds it from the files present. */
  public DatasetFormat format = DatasetFormat.Auto;

  /** Few-shot prompt template; unset means the task's default, which matches the training data's layout. */
  public PromptSpec prompt;

  /** Seed of the choice of few-shot examples for each query (and of the image swap of shuffleImages). */
  @Min(0)
  public Long seed = 0L;

  /**
   * Image-blind control: each test query is shown another test image (distinct images permuted with
   * no fixed point, seeded), few-shot examples keep theirs. Its scores say how much of the real
   * scores comes from seeing the image; a gate's baseline eval can be this control.
   */
  public Boolean shuffleImages = false;
}
