package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A checkpoint whose files all match the sha256 sums in its MANIFEST.json. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CommittedCheckpoint {
  /** Optimizer step the checkpoint was taken after. */
  public Long step;

  /** URI of the checkpoint directory (.../step-NNNNNNNNN). */
  public String uri;

  /** sha256 of the checkpoint's MANIFEST.json. */
  public String sha256;
}
