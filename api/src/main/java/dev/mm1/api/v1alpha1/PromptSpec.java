package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Size;

/**
 * The few-shot prompt of a benchmark: each support example rendered by {@code example}, then the
 * query rendered by {@code example} up to where the model continues.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PromptSpec {
  /** Text after BOS and before the first example, such as an instruction; special tokens are written by name. */
  @Size(max = 4096)
  public String prefix;

  /** One example with {image} and {caption} (captioning) or {image}, {question} and {answer} (VQA); unset means the task's default. */
  @Size(min = 1, max = 4096)
  public String example;
}
