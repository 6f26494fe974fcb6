package dev.mm1.cli;

import java.util.List;

/**
 * A {@code ./mm1} subcommand and the module that owns it. The launcher only dispatches: the
 * owning module's main class parses the rest of the command line (its own picocli command).
 *
 * @param name the word after {@code ./mm1}
 * @param module the Maven module (directory) that owns the command
 * @param mainClass the class in that module that runs it
 * @param description one line for {@code ./mm1 --help}
 * @param children second-level subcommands ({@code ./mm1 bench model}); empty for a leaf
 */
record Subcommand(String name, String module, String mainClass, String description, List<Subcommand> children) {

  static Subcommand leaf(String name, String module, String mainClass, String description) {
    return new Subcommand(name, module, mainClass, description, List.of());
  }

  /** The table of every subcommand. A new command is one line here plus its main class. */
  static final List<Subcommand> ALL = List.of(
      leaf("up", "local", "dev.mm1.local.UpCommand",
          "Run the whole loop on this machine: local Kubernetes API, node agent, operator, control plane, then the sample chain"),
      leaf("train", "trainer-image", "dev.mm1.trainer.TrainCommand",
          "Run the trainer for an MM1Training spec (the entrypoint of the trainer pods)"),
      leaf("eval", "evaluator", "dev.mm1.evaluator.EvalCommand",
          "Evaluate a checkpoint few-shot on captioning and VQA benchmarks"),
      leaf("score", "evaluator", "dev.mm1.evaluator.ScoreCommand",
          "Score predictions against references with CIDEr-D or VQA accuracy"),
      leaf("gate", "evaluator", "dev.mm1.evaluator.gate.GateCommand",
          "Trigger an eval through the control plane and exit non-zero when its gate fails (for CI)"),
      leaf("validate", "api", "dev.mm1.api.validation.ValidateCommand",
          "Check MM1Training and MM1Eval files offline as the operator will (exit 0 valid, 1 invalid, 2 unreadable)"),
      leaf("data", "trainer-image", "dev.mm1.trainer.data.DataCommand",
          "Generate the synthetic shapes-world corpus and inspect WebDataset shards"),
      leaf("model", "model", "dev.mm1.model.cli.ModelCommand",
          "Describe model presets: shapes and parameter counts"),
      new Subcommand("bench", null, null, "Benchmarks that print measured ratios (model, data, train, checkpoint, allreduce, ddp, generate, operator, control-plane)",
          List.of(
              leaf("model", "model", "dev.mm1.model.bench.ModelBenchmark",
                  "Forward+backward throughput of a preset beside the matmul roofline"),
              leaf("data", "trainer-image", "dev.mm1.trainer.bench.DataBenchmark",
                  "Samples/s and images/s through the whole data pipeline"),
              leaf("train", "trainer-image", "dev.mm1.trainer.bench.TrainBenchmark",
                  "Whole training steps in tokens/s beside forward+backward alone and the fp32 roofline"),
              leaf("checkpoint", "trainer-image", "dev.mm1.trainer.bench.CheckpointBenchmark",
                  "Checkpoint write MB/s beside a plain write+fsync, the stall it adds to a step, verify+load time"),
              leaf("allreduce", "trainer-image", "dev.mm1.trainer.bench.AllReduceBenchmark",
                  "Ring all-reduce bus bandwidth between 2 processes beside raw loopback TCP"),
              leaf("ddp", "trainer-image", "dev.mm1.trainer.bench.DdpBenchmark",
                  "Training tokens/s of 2 data-parallel workers beside 1, one thread each"),
              leaf("generate", "evaluator", "dev.mm1.evaluator.bench.GenerateBenchmark",
                  "Greedy generation: KV cache beside recomputing the prefix, batched beside one at a time"),
              leaf("operator", "operator", "dev.mm1.operator.bench.OperatorBenchmark",
                  "Operator reconciles vs the bare client on the same threads, and worker failure to next gang"),
              leaf("control-plane", "control-plane", "dev.mm1.controlplane.bench.ControlPlaneBenchmark",
                  "Metric ingestion beside PostgreSQL COPY, and downsampled query latency"))));
}
