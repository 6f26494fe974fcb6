package dev.mm1.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mm1.model.MM1Model;
import dev.mm1.model.MultimodalBatch;
import dev.mm1.model.VisionEncoder;
import dev.mm1.model.config.Presets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsTest {
  @TempDir
  Path dir;

  private static MM1Model model(NDManager manager, long seed) {
    var model = new MM1Model(Presets.get("tiny-moe"));
    model.initialize(manager, seed);
    return model;
  }

  private static float[] outputs(MM1Model model, NDManager manager) {
    var random = new Random(3);
    var pixels = new float[3 * 32 * 32];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    var batch = MultimodalBatch.of(new int[][] {{1, Presets.IMAGE_TOKEN, 50, 60, 70}},
        manager.create(pixels, new Shape(1, 3, 32, 32)));
    return model.forward(new ParameterStore(manager, false), batch, manager, false).logits().toFloatArray();
  }

  /** The value a float32 takes when stored in {@code type}, computed independently of the writer. */
  private static float stored(float value, TensorType type) {
    return switch (type) {
      case F32 -> value;
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(value));
      case BF16 -> {
        int bits = Float.floatToRawIntBits(value);
        float down = Float.intBitsToFloat(bits & 0xFFFF0000);
        float up = Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000);
        double below = Math.abs((double) value - down);
        double above = Math.abs((double) up - value);
        yield below < above ? down : above < below ? up : ((bits >>> 16) & 1) == 0 ? down : up;
      }
    };
  }

  @ParameterizedTest
  @EnumSource(TensorType.class)
  void roundTripGivesBitIdenticalOutputs(TensorType type) throws IOException {
    try (var manager = NDManager.newBaseManager()) {
      var original = model(manager, 1);
      var file = dir.resolve("model-" + type + ".safetensors");
      ModelWeights.save(original, file, type, Map.of("format", "pt"));

      // The reference: the original weights rounded to the stored precision in plain Java.
      for (var parameter : original.namedParameters().values()) {
        var values = parameter.getArray().toFloatArray();
        for (int i = 0; i < values.length; i++) {
          values[i] = stored(values[i], type);
        }
        parameter.getArray().set(values);
      }
      var loaded = model(manager, 2);
      var names = ModelWeights.load(loaded, file, TensorMapping.identity(), true);
      assertThat(names).hasSize(original.namedParameters().size());
      assertThat(outputs(loaded, manager)).containsExactly(outputs(original, manager));

      // Writing the loaded weights again gives the same bytes.
      var again = dir.resolve("again-" + type + ".safetensors");
      ModelWeights.save(loaded, again, type, Map.of("format", "pt"));
      assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
    }
  }

  @Test
  void filesAgreeWithDjlsOwnSafetensorsCodec() throws IOException {
    try (var manager = NDManager.newBaseManager()) {
      var a = manager.randomNormal(new Shape(3, 5));
      a.setName("a");
      var b = manager.randomNormal(new Shape(7)).toType(DataType.FLOAT16, false);
      b.setName("b");
      var djlFile = dir.resolve("djl.safetensors");
      try (var out = Files.newOutputStream(djlFile)) {
        new NDList(a, b).encode(out, NDList.Encoding.SAFETENSORS);
      }
      try (var file = SafetensorsFile.open(djlFile)) {
        assertThat(file.entry("a").shape()).containsExactly(3, 5);
        assertThat(file.readFloats("a")).containsExactly(a.toFloatArray());
        assertThat(file.entry("b").type()).isEqualTo(TensorType.F16);
        assertThat(file.readFloats("b")).containsExactly(b.toType(DataType.FLOAT32, false).toFloatArray());
      }
      var ours = dir.resolve("ours.safetensors");
      SafetensorsWriter.write(ours, List.of(new SafetensorsWriter.Tensor("a", new long[] {3, 5}, a.toFloatArray())),
          TensorType.F32, Map.of());
      try (var in = Files.newInputStream(ours)) {
        var decoded = NDList.decode(manager, in);
        assertThat(decoded.get(0).getName()).isEqualTo("a");
        assertThat(decoded.get(0).toFloatArray()).containsExactly(a.toFloatArray());
      }
    }
  }

  @Test
  void missingAndMisShapedTensorsAreNamedAndNothingIsChanged() throws IOException {
    try (var manager = NDManager.newBaseManager()) {
      var model = model(manager, 1);
      var before = outputs(model, manager);
      var missing = dir.resolve("missing.safetensors");
      SafetensorsWriter.write(missing, List.of(new SafetensorsWriter.Tensor("decoder.norm.weight", new long[] {128},
          new float[128])), TensorType.F32, Map.of());
      assertThatThrownBy(() -> ModelWeights.load(model, missing, TensorMapping.identity(), true))
          .hasMessageContaining("tensor 'encoder.patchEmbedding' (for parameter 'encoder.patchEmbedding') is missing")
          .hasMessageContaining("missing.safetensors");

      var misShaped = dir.resolve("misshaped.safetensors");
      SafetensorsWriter.write(misShaped, List.of(new SafetensorsWriter.Tensor("decoder.norm.weight",
          new long[] {64}, new float[64])), TensorType.F32, Map.of());
      var onlyNorm = TensorMapping.of(Map.of("norm.weight", TensorMapping.Source.whole("decoder.norm.weight")));
      assertThatThrownBy(() -> ModelWeights.load(model.decoder(), misShaped, onlyNorm, false))
          .hasMessageContaining("tensor 'decoder.norm.weight'").hasMessageContaining("has shape (64)")
          .hasMessageContaining("parameter 'norm.weight' needs (128)");
      assertThat(outputs(model, manager)).containsExactly(before);
    }
  }

  @Test
  void malformedFilesAreRejectedWithTheFileName() throws IOException {
    var truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, new byte[] {100, 0, 0, 0, 0, 0, 0, 0, '{'});
    assertThatThrownBy(() -> SafetensorsFile.open(truncated)).hasMessageContaining("truncated.safetensors")
        .hasMessageContaining("header length 100");
    var int8 = dir.resolve("int8.safetensors");
    var header = "{\"x\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    var bytes = java.nio.ByteBuffer.allocate(8 + header.length() + 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    bytes.putLong(header.length()).put(header.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put((byte) 1)
        .put((byte) 2);
    Files.write(int8, bytes.array());
    assertThatThrownBy(() -> SafetensorsFile.open(int8)).hasMessageContaining("tensor 'x'")
        .hasMessageContaining("dtype I8").hasMessageContaining("F32, F16, BF16");
  }

  @Test
  void encoderLoadsFromOpenClipAndHuggingFaceClipCheckpoints() throws IOException {
    try (var manager = NDManager.newBaseManager()) {
      var source = model(manager, 1).encoder();
      int layers = source.config().layers();
      var params = source.namedParameters();
      var images = manager.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
      var store = new ParameterStore(manager, false);
      var expected = source.forward(store, images, false).toFloatArray();

      // OpenCLIP: fused in_proj rows [q; k; v].
      var openClip = new ArrayList<SafetensorsWriter.Tensor>();
      var huggingFace = new ArrayList<SafetensorsWriter.Tensor>();
      var openClipMapping = TensorMapping.openClipVision("visual.", layers);
      var huggingFaceMapping = TensorMapping.huggingFaceClipVision("vision_model.", layers);
      var fused = new java.util.LinkedHashMap<String, List<float[]>>();
      for (var entry : params.entrySet()) {
        var array = entry.getValue().getArray();
        var values = array.toFloatArray();
        var shape = array.getShape().getShape();
        var hf = huggingFaceMapping.source(entry.getKey());
        huggingFace.add(new SafetensorsWriter.Tensor(hf.tensor(), shape, values));
        var oc = openClipMapping.source(entry.getKey());
        if (oc.parts() == 1) {
          openClip.add(new SafetensorsWriter.Tensor(oc.tensor(), shape, values));
        } else {
          fused.computeIfAbsent(oc.tensor(), k -> new ArrayList<>(List.of(new float[0], new float[0], new float[0])))
              .set(oc.part(), values);
        }
      }
      fused.forEach((name, parts) -> {
        int n = parts.get(0).length;
        var all = new float[3 * n];
        for (int p = 0; p < 3; p++) {
          System.arraycopy(parts.get(p), 0, all, p * n, n);
        }
        var shape = name.endsWith("weight") ? new long[] {3L * 64, 64} : new long[] {3L * 64};
        openClip.add(new SafetensorsWriter.Tensor(name, shape, all));
      });
      openClip.add(new SafetensorsWriter.Tensor("visual.proj", new long[] {64, 32}, new float[64 * 32]));
      var openClipFile = dir.resolve("open_clip.safetensors");
      var huggingFaceFile = dir.resolve("hf_clip.safetensors");
      SafetensorsWriter.write(openClipFile, openClip, TensorType.F32, Map.of());
      SafetensorsWriter.write(huggingFaceFile, huggingFace, TensorType.F32, Map.of());

      for (var pair : List.of(Map.entry(openClipFile, openClipMapping), Map.entry(huggingFaceFile, huggingFaceMapping))) {
        Engine.getInstance().setRandomSeed(99);
        var fresh = new VisionEncoder(source.config());
        fresh.initialize(manager, DataType.FLOAT32, new Shape(1));
        ModelWeights.load(fresh, pair.getKey(), pair.getValue(), true);
        assertThat(fresh.forward(store, images, false).toFloatArray()).as(pair.getKey().toString())
            .containsExactly(expected);
      }
    }
  }
}
