package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The score of one benchmark at one shot count. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BenchmarkResult {
  /** Benchmark name from the spec. */
  public String benchmark;

  /** Few-shot examples in each prompt. */
  public Integer shots;

  /** Metric name: cider-d or vqa-accuracy. */
  public String metric;

  /** Metric value on the 0-100 scale used in the MM1 paper. */
  public Double value;

  /** Samples scored. */
  public Integer samples;
}
