package dev.mm1.evaluator.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.evaluator.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The gate's references, benchmark arguments and durations; the gate against a control plane is tested in control-plane (GateTest). */
class GateArgumentsTest {
  @TempDir Path dir;

  @Test
  void checkpointReferences() {
    var latest = References.checkpoint("tiny-pretrain");
    assertThat(latest.fromTraining).isEqualTo("tiny-pretrain");
    assertThat(latest.step).isEqualTo("latest");
    assertThat(References.checkpoint("tiny-pretrain@2000").step).isEqualTo("2000");
    var uri = References.checkpoint("s3://bucket/run/step-000002000");
    assertThat(uri.uri).isEqualTo("s3://bucket/run/step-000002000");
    assertThat(uri.fromTraining).isNull();
    assertThat(uri.step).isNull();
    assertThatThrownBy(() -> References.checkpoint("Tiny@soon")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--checkpoint: 'Tiny@soon' is neither TRAINING[@latest|@STEP]");
  }

  @Test
  void baselineReferences() {
    assertThat(References.baseline("42").runId()).isEqualTo("42");
    assertThat(References.baseline("run:42").runId()).isEqualTo("42");
    var byName = References.baseline("team-a/nightly");
    assertThat(byName.namespace()).isEqualTo("team-a");
    assertThat(byName.evalName()).isEqualTo("nightly");
    assertThat(References.baseline("eval:nightly").evalName()).isEqualTo("nightly");
    assertThatThrownBy(() -> References.baseline("run:abc")).hasMessageContaining("a run id is a number");
    assertThatThrownBy(() -> References.baseline("Night Ly")).hasMessageContaining("is neither a run id");
  }

  @Test
  void inlineAndFileBenchmarks() throws Exception {
    var inline = BenchmarkArguments.inline("name=coco,task=captioning,uri=pvc:data/coco,shots=0/4/8,maxSamples=500,format=cocokarpathy,seed=3");
    assertThat(inline.task).isEqualTo(BenchmarkTask.Captioning);
    assertThat(inline.dataset).isEqualTo("coco");
    assertThat(inline.shots).containsExactly(0, 4, 8);
    assertThat(inline.maxSamples).isEqualTo(500);
    assertThat(inline.format).isEqualTo(dev.mm1.api.v1alpha1.DatasetFormat.CocoKarpathy);
    assertThat(inline.seed).isEqualTo(3L);
    Path manifest = Files.writeString(dir.resolve("eval.yaml"), """
        apiVersion: mm1.dev/v1alpha1
        kind: MM1Eval
        metadata: {name: nightly}
        spec:
          checkpoint: {fromTraining: tiny}
          benchmarks:
            - {name: vqa, task: VQA, dataset: vqav2-val, uri: "pvc:data/vqav2", shots: [0, 4]}
        """);
    var fromFile = BenchmarkArguments.parse(List.of(manifest.toString()));
    assertThat(fromFile).singleElement().satisfies(b -> {
      assertThat(b.task).isEqualTo(BenchmarkTask.VQA);
      assertThat(b.shots).containsExactly(0, 4);
    });
    assertThatThrownBy(() -> BenchmarkArguments.inline("name=x,task=VQA")).hasMessageContaining("needs name, task and uri");
    assertThatThrownBy(() -> BenchmarkArguments.inline("name=x,task=VQA,uri=pvc:x,shots=many"))
        .hasMessageContaining("shots 'many'");
    assertThatThrownBy(() -> BenchmarkArguments.inline("name=x,kind=VQA")).hasMessageContaining("unknown key 'kind'");
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "benchmarks: []\n");
    assertThatThrownBy(() -> BenchmarkArguments.parse(List.of(empty.toString()))).hasMessageContaining("holds no benchmarks");
    assertThatThrownBy(() -> BenchmarkArguments.parse(List.of(dir.resolve("missing.yaml").toString())))
        .hasMessageContaining("does not exist");
  }

  @Test
  void durations() {
    var converter = new WaitDuration();
    assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(converter.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(converter.convert("PT2H")).isEqualTo(Duration.ofHours(2));
    assertThat(converter.convert("45")).isEqualTo(Duration.ofSeconds(45));
    assertThatThrownBy(() -> converter.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("5m later")).isInstanceOf(CommandLine.TypeConversionException.class);
  }

  @Test
  void optionsThatCannotMakeAValidEvalAreRefusedBeforeAnythingIsSent() {
    var command = new GateCommand(java.util.Map.of());
    new CommandLine(command).parseArgs("--checkpoint", "file:/c", "--benchmarks", "name=coco,task=Captioning,uri=pvc:c",
        "--max-regression", "1");
    assertThatThrownBy(command::evalSpec).hasMessageContaining("--max-regression needs --baseline");
    var shots = new GateCommand(java.util.Map.of());
    new CommandLine(shots).parseArgs("--checkpoint", "file:/c", "--benchmarks", "name=coco,task=Captioning,uri=pvc:c",
        "--min", "coco@4=10");
    assertThatThrownBy(shots::evalSpec).hasMessageContaining("benchmark coco runs at shots [0], not 4");
    var twice = new GateCommand(java.util.Map.of());
    new CommandLine(twice).parseArgs("--checkpoint", "file:/c", "--benchmarks", "name=coco,task=Captioning,uri=pvc:c",
        "name=coco,task=VQA,uri=pvc:v");
    assertThatThrownBy(twice::evalSpec).hasMessageContaining("the name 'coco' is used twice");
  }
}
