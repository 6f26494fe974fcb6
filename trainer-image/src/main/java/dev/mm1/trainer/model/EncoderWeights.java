package dev.mm1.trainer.model;

import dev.mm1.model.VisionEncoder;
import dev.mm1.model.io.ModelWeights;
import dev.mm1.model.io.SafetensorsFile;
import dev.mm1.model.io.TensorMapping;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pretrained image-encoder weights ({@code spec.model.imageEncoder.pretrainedWeights}): a
 * safetensors file with OpenCLIP / OpenAI CLIP names ({@code visual.*}), HuggingFace
 * {@code CLIPVisionModel} names ({@code vision_model.*}), or this project's own (a whole-model
 * checkpoint's {@code encoder.*}, or an encoder alone). The naming is recognised from the file.
 */
public final class EncoderWeights {
  private EncoderWeights() {}

  public static void load(VisionEncoder encoder, String uri) throws IOException {
    var path = localPath(uri);
    int layers = encoder.config().layers();
    TensorMapping mapping;
    try (var file = SafetensorsFile.open(path)) {
      var names = file.entries().keySet();
      if (names.contains("visual.conv1.weight")) {
        mapping = TensorMapping.openClipVision("visual.", layers);
      } else if (names.contains("vision_model.embeddings.patch_embedding.weight")) {
        mapping = TensorMapping.huggingFaceClipVision("vision_model.", layers);
      } else if (names.contains("encoder.patchEmbedding")) {
        mapping = TensorMapping.prefixed("encoder.");
      } else if (names.contains("patchEmbedding")) {
        mapping = TensorMapping.identity();
      } else {
        throw new IllegalArgumentException("spec.model.imageEncoder.pretrainedWeights: " + path
            + " has neither OpenCLIP (visual.conv1.weight), HuggingFace CLIP (vision_model.embeddings.*) nor MM1 "
            + "(encoder.patchEmbedding) encoder tensors");
      }
    }
    try {
      ModelWeights.load(encoder, path, mapping, true);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spec.model.imageEncoder.pretrainedWeights: " + e.getMessage(), e);
    }
  }

  private static Path localPath(String uri) {
    Path path;
    if (uri.startsWith("/")) {
      path = Path.of(uri);
    } else if (uri.startsWith("file:")) {
      path = Path.of(URI.create(uri));
    } else {
      throw new IllegalArgumentException("spec.model.imageEncoder.pretrainedWeights '" + uri
          + "': only local files (an absolute path or a file: URI) are supported");
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("spec.model.imageEncoder.pretrainedWeights: " + path + " does not exist");
    }
    return path;
  }
}
