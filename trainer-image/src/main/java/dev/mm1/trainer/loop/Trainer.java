package dev.mm1.trainer.loop;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.v1alpha1.DataParallelSpec;
import dev.mm1.api.v1alpha1.Precision;
import dev.mm1.model.Float16Weights;
import dev.mm1.model.HostArrays;
import dev.mm1.model.MM1Model;
import dev.mm1.model.MultimodalBatch;
import dev.mm1.model.bench.ModelBenchmark;
import dev.mm1.model.config.FlopCounts;
import dev.mm1.model.config.MM1Config;
import dev.mm1.model.io.ModelWeights;
import dev.mm1.model.io.TensorMapping;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.checkpoint.Checkpoint;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import dev.mm1.trainer.checkpoint.CheckpointException;
import dev.mm1.trainer.checkpoint.CheckpointWriter;
import dev.mm1.trainer.checkpoint.TrainerState;
import dev.mm1.trainer.checkpoint.TrainingSnapshot;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.data.Batch;
import dev.mm1.trainer.data.DataPipeline;
import dev.mm1.trainer.data.DataPipelineException;
import dev.mm1.trainer.data.PipelineState;
import dev.mm1.trainer.data.PrefetchingLoader;
import dev.mm1.trainer.data.pack.PackedSequence;
import dev.mm1.trainer.model.EncoderWeights;
import dev.mm1.trainer.model.ModelSpecs;
import dev.mm1.trainer.optim.AdamW;
import dev.mm1.trainer.optim.LearningRates;
import dev.mm1.trainer.optim.LossScaler;
import dev.mm1.trainer.optim.ShardedAdamW;
import dev.mm1.trainer.report.ControlPlaneReporter;
import dev.mm1.trainer.report.MetricsLog;
import dev.mm1.trainer.report.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MM1 training loop of one data-parallel rank: builds the model from the spec, resumes from the
 * newest valid checkpoint (or starts from an init checkpoint), and runs optimizer steps: each
 * global batch's share of this rank is split into micro-batches whose losses are normalised by the
 * target tokens of the whole global batch, gradients accumulate, are summed over ranks, clipped by
 * their global norm, and AdamW takes one step. A step whose loss or gradient is not finite is
 * skipped (too many in a row stop the run). Checkpoints are written in the background; metrics are
 * appended to {@code metrics.jsonl} and reported to the control plane from there.
 */
public final class Trainer {
  /** Seconds to wait for the last reports to reach the control plane at the end. */
  static final Duration FINAL_FLUSH = Duration.ofSeconds(20);

  /** The run stopped because the loss or gradient stayed non-finite. */
  public static final class DivergedException extends RuntimeException {
    DivergedException(String message) {
      super(message);
    }
  }

  /** A checkpoint this run cannot use: another model, or a config that changed more than resumable fields. */
  public static final class IncompatibleCheckpointException extends RuntimeException {
    IncompatibleCheckpointException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Data-parallel replicas hold different weights: a rank computed differently (retryable). */
  public static final class ReplicasDifferException extends RuntimeException {
    ReplicasDifferException(String message) {
      super(message);
    }
  }

  /** The process was asked to stop (SIGTERM); nothing half-written is left visible. */
  public static final class TerminatedException extends RuntimeException {
    TerminatedException(long step) {
      this("stopped by SIGTERM during step " + step + "; the newest committed checkpoint is kept");
    }

    public TerminatedException(String message) {
      super(message);
    }
  }

  /**
   * What a finished run did.
   *
   * @param step the last step
   * @param lastLoss its loss
   * @param resumedFrom the step resumed from (0 for a fresh start)
   */
  public record Result(long step, double lastLoss, long resumedFrom) {}

  private final TrainingJob job;
  private final Collective collective;
  private final PrintStream err;
  private final Instant processStart;
  private final int dataThreads;
  private boolean float16OnCpu;
  private double initialLossScale = LossScaler.INITIAL_SCALE;
  private volatile boolean stopRequested;
  private volatile RuntimeException stopReason;

  public Trainer(TrainingJob job, Collective collective, PrintStream err, Instant processStart, int dataThreads) {
    this.job = job;
    this.collective = collective;
    this.err = err;
    this.processStart = processStart;
    this.dataThreads = dataThreads;
  }

  /**
   * Lets FP16 run on the CPU engine, where it is ~200× slower than FP32 and otherwise refused: the
   * CPU twin through which tests exercise the GPU path, with the loss scale a fresh run starts
   * from (tests start it high to see it back off).
   */
  public Trainer float16OnCpu(double initialLossScale) {
    this.float16OnCpu = true;
    this.initialLossScale = initialLossScale;
    return this;
  }

  /** Asks the loop to stop at the next micro-batch boundary (SIGTERM). */
  public void requestStop() {
    stopRequested = true;
  }

  /** Asks the loop to stop at the next micro-batch boundary and throw {@code reason} (a lost peer). */
  public void requestStop(RuntimeException reason) {
    stopReason = reason;
    stopRequested = true;
  }

  /** Stops here if asked to: a checkpoint in flight is dropped with its hidden directory. */
  private void stopIfRequested(CheckpointWriter writer, long step) {
    if (stopRequested) {
      writer.abort();
      var reason = stopReason;
      throw reason != null ? reason : new TerminatedException(step);
    }
  }

  private void log(String message) {
    err.println((collective.rank() == 0 ? "mm1 train: " : "mm1 train [rank " + collective.rank() + "]: ") + message);
  }

  public Result run() throws IOException {
    var spec = job.spec();
    var optimization = spec.optimization;
    MM1Config config = ModelSpecs.toConfig(spec.model, spec.data);
    ModelSpecs.checkDataFits(config, spec.data);
    int world = collective.worldSize();
    int rank = collective.rank();
    int micro = optimization.microBatchSize;
    if (optimization.globalBatchSize % (world * micro) != 0) {
      throw new IllegalArgumentException("spec.optimization.globalBatchSize " + optimization.globalBatchSize
          + " is not divisible by workers x microBatchSize = " + world + " x " + micro);
    }
    int perRank = optimization.globalBatchSize / world;
    int microsPerRank = perRank / micro;
    var device = device(optimization.precision);
    var checkpoints = new CheckpointDirectory(job.checkpointDir());
    if (rank == 0) {
      checkpoints.prepare();
      checkpoints.removeLeftovers();
    }
    var parallel = spec.dataParallel == null ? new DataParallelSpec() : spec.dataParallel;
    boolean sharded = world > 1 && parallel.zeroStage != null && parallel.zeroStage == 1;
    long weightCheck = parallel.weightCheckEverySteps == null ? 0 : parallel.weightCheckEverySteps;
    String configHash = Canonical.sha256(Canonical.text(TrainerConfig.resumeRelevant(job.renderedConfig())));
    long seed = spec.data.seed == null ? 0 : spec.data.seed;

    try (var root = NDManager.newBaseManager(device); var tokenizer = MM1Tokenizer.load()) {
      var model = new MM1Model(config);
      model.initialize(root, seed);
      var trainable = new LinkedHashMap<String, Parameter>();
      model.namedParameters().forEach((name, parameter) -> {
        if (parameter.requiresGradient()) {
          trainable.put(name, parameter);
        }
      });
      ParameterUpdate update = sharded
          ? new ParameterUpdate.Sharded(new ShardedAdamW(root, trainable, ShardedAdamW.partition(trainable, world), rank,
              optimization.beta1, optimization.beta2, 1e-8, optimization.weightDecay), collective)
          : new ParameterUpdate.Replicated(new AdamW(root, trainable, optimization.beta1, optimization.beta2, 1e-8,
              optimization.weightDecay), trainable, collective);

      long step = 0;
      long tokens = 0;
      long skipped = 0;
      int consecutive = 0;
      boolean float16 = optimization.precision == Precision.FP16;
      var scaler = float16 ? new LossScaler(initialLossScale, 0) : null;
      PipelineState dataState = null;
      var resume = resumePoint(checkpoints);
      if (resume.isPresent()) {
        var state = resumeFrom(resume.get(), model, update, configHash);
        step = state.step();
        tokens = state.tokensSeen();
        skipped = state.skippedUpdates();
        consecutive = state.consecutiveSkipped();
        if (float16 && state.lossScale() != null) {
          scaler = new LossScaler(state.lossScale(), state.lossScaleGrowthSteps());
        }
        dataState = PipelineState.fromJson(state.data());
        log("resuming from " + resume.get().dir() + " (step " + step + ", attempt " + job.attempt() + ")");
      } else if (job.init() != null) {
        startFrom(job.init(), model);
      } else if (spec.model.imageEncoder != null && spec.model.imageEncoder.pretrainedWeights != null) {
        EncoderWeights.load(model.encoder(), spec.model.imageEncoder.pretrainedWeights);
        log("image encoder weights from " + spec.model.imageEncoder.pretrainedWeights);
      }
      if (world > 1) {
        // Every weight from rank 0 (frozen ones too), then proof that every rank holds the same bits.
        var weights = model.namedParameters().values().stream().map(Parameter::getArray).toList();
        collective.broadcast(weights);
        checkReplicas(weights, "after the initial broadcast");
      }
      update.weightsReady();
      long resumedFrom = step;

      var pipeline = DataPipeline.builder(spec.data).tokenizer(tokenizer).imageTokens(config.connector().imageTokens())
          .defaultResolution(config.encoder().resolution()).batchSize(perRank).rank(rank, world)
          .resumeFrom(dataState).build();
      var schedule = new LearningRates(optimization.learningRate, optimization.warmupSteps, optimization.steps,
          optimization.schedule, optimization.minLearningRateRatio);
      var metricsPath = job.reportDir().resolve(MetricsLog.FILE);
      var previous = MetricsLog.last(metricsPath);
      var halfWeights = float16 ? new Float16Weights(root, trainable.values()) : null;
      var store = float16 ? halfWeights : new ParameterStore(root, false);
      if (float16) {
        log("mixed precision: float16 passes on copies of the float32 weights, dynamic loss scale " + scaler.scale());
      }
      boolean masking = !Boolean.FALSE.equals(spec.data.documentMasking);
      double peak = ModelBenchmark.matMulFlops(root, 1024);

      try (var loader = new PrefetchingLoader(pipeline, dataThreads, 4);
          var metrics = rank == 0 ? new MetricsLog(metricsPath) : null;
          var reporter = rank == 0 && job.reporting() != null ? new ControlPlaneReporter(job.reporting().url(),
              job.reporting().token(), job.reporting().runId(), job.reportDir(), Duration.ofSeconds(3), this::log) : null;
          var writer = new CheckpointWriter(checkpoints, spec.checkpoints.keepLast, committed -> committed(committed, reporter))) {
        if (reporter != null) {
          reporter.state(RunState.Running, step > 0 ? "Resumed" : "Started",
              "attempt " + job.attempt() + (step > 0 ? ", resumed from step " + step : "") + " on " + world + " worker(s)",
              job.attempt());
        }
        var progress = new Progress(err, Progress.stderrIsTerminal(), step, optimization.steps, 10);
        if (step >= optimization.steps) {
          log("already finished: the newest checkpoint is at step " + step + " of " + optimization.steps);
        }
        double lastLoss = Double.NaN;
        double pendingStall = 0;
        boolean first = true;
        // A step's time runs from the end of the previous step to the end of this one, so the steps'
        // times add up to the loop's wall time (data waits and checkpoint submits included).
        long previousEnd = System.nanoTime();
        while (step < optimization.steps) {
          stopIfRequested(writer, step + 1);
          if (writer.failure() != null) {
            throw (IOException) writer.failure();
          }
          long started = System.nanoTime();
          Batch batch = loader.next();
          if (batch == null) {
            throw new DataPipelineException("the data ran out at step " + (step + 1) + ": the sources hold no samples");
          }
          double dataWait = (System.nanoTime() - started) / 1e9;
          step++;
          var values = new LinkedHashMap<String, Double>();
          double stall = pendingStall;
          pendingStall = 0;
          try (var stepManager = root.newSubManager()) {
            var rows = batch.sequences();
            var micros = new ArrayList<MultimodalBatch>();
            long localTokens = 0;
            double localFlops = 0;
            long localTargets = 0;
            for (int m = 0; m < microsPerRank; m++) {
              var part = rows.subList(m * micro, Math.min(rows.size(), (m + 1) * micro));
              var input = modelBatch(part, config, masking, stepManager);
              micros.add(input);
              localTargets += model.targetCount(input);
              for (var sequence : part) {
                localTokens += sequence.usedTokens();
              }
              int images = input.images() == null ? 0 : (int) input.images().getShape().get(0);
              localFlops += 3 * FlopCounts.forward(config, part.size(), part.getFirst().tokens().length, images);
            }
            long countStart = System.nanoTime();
            var counts = collective.allReduceSum(new double[] {localTargets, localTokens, localFlops});
            double countSeconds = (System.nanoTime() - countStart) / 1e9;
            long targets = (long) counts[0];
            long stepTokens = (long) counts[1];
            double lossSum = 0;
            double loadBalance = 0;
            double zLoss = 0;
            var expertLoad = new ArrayList<double[]>();
            var dropped = new ArrayList<Long>();
            double lossScale = float16 ? scaler.scale() : 1;
            try (var collector = Engine.getInstance().newGradientCollector()) {
              for (var input : micros) {
                stopIfRequested(writer, step);
                try (var microManager = stepManager.newSubManager()) {
                  var loss = model.trainingLoss(store, input, microManager, lossScale / Math.max(1, targets),
                      lossScale / (microsPerRank * world));
                  collector.backward(loss.objective());
                  if (float16) {
                    halfWeights.accumulateGradients(); // into the float32 masters: accumulation in float32
                  }
                  lossSum += loss.lossSum();
                  loadBalance += loss.loadBalanceLoss() / microsPerRank;
                  zLoss += loss.zLoss() / microsPerRank;
                  accumulate(expertLoad, dropped, loss.expertLoad(), loss.droppedTokens(), microsPerRank);
                }
              }
            } finally {
              if (float16) {
                halfWeights.release();
              }
            }
            long syncStart = System.nanoTime();
            double squares = update.synchronize(stepManager);
            var reduced = collective.allReduceSum(new double[] {lossSum, loadBalance / world, zLoss / world, squares});
            double syncSeconds = (System.nanoTime() - syncStart) / 1e9 + countSeconds;
            double lmLoss = reduced[0] / Math.max(1, targets);
            double gradNorm = Math.sqrt(reduced[3]) / lossScale; // the gradients are still scaled
            stall += writer.awaitStaged(); // the next update changes what a checkpoint job may still be copying
            double lr = schedule.at(step);
            var moe = config.decoder().moe();
            double loss = lmLoss + (moe == null ? 0
                : moe.auxLossCoefficient() * reduced[1] + moe.zLossCoefficient() * reduced[2]);
            boolean finite = Double.isFinite(loss) && Double.isFinite(gradNorm);
            if (scaler != null) {
              values.put("amp/loss_scale", lossScale);
              scaler.update(finite);
            }
            if (finite) {
              double clip = optimization.gradClip == null ? 0 : optimization.gradClip;
              double scale = clip > 0 && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1;
              update.apply(lr, scale / lossScale, stepManager);
              consecutive = 0;
            } else if (scaler != null && Double.isFinite(loss) && lossScale > 1) {
              // float16 gradients overflowed: the scale backs off (GradScaler's rule), not divergence.
              update.skip();
              skipped++;
              progress.log("step " + step + ": the float16 gradients overflowed at loss scale " + lossScale
                  + "; update skipped, scale lowered to " + scaler.scale());
            } else {
              update.skip();
              skipped++;
              consecutive++;
              progress.log("step " + step + ": loss " + loss + ", gradient norm " + gradNorm
                  + " is not finite; update skipped (" + consecutive + " in a row)");
              if (consecutive >= optimization.maxConsecutiveSkips) {
                throw new DivergedException("training diverged: " + consecutive + " steps in a row (up to step " + step
                    + ") had a non-finite loss or gradient (spec.optimization.maxConsecutiveSkips is "
                    + optimization.maxConsecutiveSkips + "); lower the learning rate or enable gradClip");
              }
            }
            tokens += stepTokens;
            long ended = System.nanoTime();
            double seconds = (ended - previousEnd) / 1e9;
            previousEnd = ended;
            lastLoss = loss;
            values.put("loss", loss);
            values.put("lm_loss", lmLoss);
            if (moe != null) {
              values.put("moe/load_balance_loss", reduced[1]);
              values.put("moe/z_loss", reduced[2]);
              putMoe(values, config, expertLoad, dropped);
            }
            values.put("lr", lr);
            values.put("grad_norm", gradNorm);
            values.put("tokens", (double) tokens);
            values.put("tokens_per_s", stepTokens / seconds);
            values.put("mfu", counts[2] / world / seconds / peak);
            values.put("data_wait_s", dataWait);
            values.put("step_time_s", seconds);
            values.put("skipped_updates", (double) skipped);
            if (world > 1) {
              // Time in the step's collectives: the global counts, the gradients and the statistics (waits for slower ranks included).
              values.put("parallel/sync_s", syncSeconds);
            }
            if (stall > 0) {
              values.put("goodput/checkpoint_stall_s", stall);
            }
            var drawn = batch.state().sourceTokens();
            double drawnTotal = drawn.values().stream().mapToLong(Long::longValue).sum();
            drawn.forEach((name, count) -> values.put("data/share/" + name, count / Math.max(1, drawnTotal)));
            if (first) {
              first = false;
              values.put("goodput/startup_s", Duration.between(processStart, Instant.now()).toMillis() / 1e3);
              if (resumedFrom > 0 && previous.isPresent()) {
                values.put("goodput/recomputed_steps", (double) Math.max(0, previous.get().step() - resumedFrom));
                values.put("goodput/restart_gap_s", Duration.between(previous.get().time(), Instant.now()).toMillis() / 1e3);
              }
            }
            if (metrics != null) {
              metrics.append(step, Instant.now(), job.attempt(), values);
              progress.step(step, loss, stepTokens / seconds);
            }
          }
          if (world > 1 && weightCheck > 0 && step % weightCheck == 0) {
            checkReplicas(model.namedParameters().values().stream().map(Parameter::getArray).toList(), "after step " + step);
          }
          if (step % spec.checkpoints.everySteps == 0 || step == optimization.steps) {
            long before = System.nanoTime();
            if (sharded && rank == 0) {
              checkpoints.prepareSharedTemporary(step, job.attempt()); // before the gather: the others write into it after
            }
            var states = collective.allGather(batch.state().toJson()).stream().map(PipelineState::fromJson).toList();
            TrainerState state = null;
            if (rank == 0) {
              state = new TrainerState(TrainerState.FORMAT, step, tokens, job.attempt(), configHash,
                  TrainerConfig.resumeRelevant(job.renderedConfig()), PipelineState.merge(states).toJson(), seed, world,
                  skipped, consecutive, Instant.now().toString(), scaler == null ? null : scaler.scale(),
                  scaler == null ? null : scaler.growthSteps());
            }
            if (sharded) {
              var part = new CheckpointWriter.Part(checkpoints.sharedTemporary(step, job.attempt()),
                  collective.checkpointParts(), rank == 0);
              writer.submit(update.snapshot(step, model, state, part));
            } else if (rank == 0) {
              writer.submit(update.snapshot(step, model, state, null));
            }
            pendingStall += (System.nanoTime() - before) / 1e9;
          }
        }
        writer.awaitIdle();
        collective.barrier(); // no rank leaves before rank 0 has committed the last checkpoint
        if (reporter != null) {
          reporter.state(RunState.Succeeded, "Completed", "trained " + step + " steps; final loss " + lastLoss, job.attempt());
          if (!reporter.flush(FINAL_FLUSH)) {
            log("the control plane did not take every report within " + FINAL_FLUSH.toSeconds() + " s; they stay spooled in "
                + job.reportDir());
          }
        }
        log("finished at step " + step + " (loss " + lastLoss + "); checkpoints in " + checkpoints.root());
        return new Result(step, lastLoss, resumedFrom);
      }
    }
  }

  private Device device(Precision precision) {
    boolean gpu = Engine.getInstance().getGpuCount() > 0;
    if (precision == Precision.BF16) {
      throw new IllegalArgumentException("spec.optimization.precision BF16 is not supported: DJL's PyTorch engine "
          + "aborts the JVM on bfloat16 tensors; use FP16 (float32 master weights, dynamic loss scaling) on GPUs, or FP32");
    }
    if (precision == Precision.FP16 && !gpu && !float16OnCpu) {
      throw new IllegalArgumentException("spec.optimization.precision FP16 is not supported on this machine: it has "
          + "no GPU, and CPU training is FP32 only (float16 runs ~200x slower than float32 on the CPU engine)");
    }
    return gpu ? Device.gpu(Integer.getInteger("mm1.localRank", 0)) : Device.cpu();
  }

  /**
   * The checkpoint to resume from: the newest valid one, chosen by rank 0 and verified by every
   * rank, so that all ranks resume from the same step.
   */
  private Optional<Checkpoint> resumePoint(CheckpointDirectory checkpoints) throws IOException {
    if (collective.worldSize() == 1) {
      return checkpoints.latestValid(this::log);
    }
    var chosen = collective.rank() == 0 ? checkpoints.latestValid(this::log) : Optional.<Checkpoint>empty();
    var step = collective.allGather(chosen.map(c -> Long.toString(c.step())).orElse("")).getFirst();
    if (step.isEmpty() || collective.rank() == 0) {
      return chosen;
    }
    try {
      return Optional.of(checkpoints.verified(Long.parseLong(step)));
    } catch (CheckpointException e) {
      throw new IOException("rank " + collective.rank() + " cannot use the checkpoint of step " + step
          + " that rank 0 resumes from: " + e.getMessage(), e);
    }
  }

  /** Compares every rank's weights with rank 0's by checksum; a difference stops the run naming the ranks. */
  private void checkReplicas(List<NDArray> weights, String when) {
    var sums = collective.allGather(WeightChecksum.of(weights));
    var differ = new ArrayList<Integer>();
    for (int r = 1; r < sums.size(); r++) {
      if (!sums.get(r).equals(sums.getFirst())) {
        differ.add(r);
      }
    }
    if (!differ.isEmpty()) {
      throw new ReplicasDifferException("the weights of rank(s) " + differ + " differ from rank 0's " + when
          + " (checksums " + sums + "): a worker computed differently (other thread counts or libraries, or a faulty "
          + "machine); the gang restarts from its last checkpoint");
    }
  }

  /** Loads a resume checkpoint into the model and optimizer; returns its trainer state. */
  private TrainerState resumeFrom(Checkpoint checkpoint, MM1Model model, ParameterUpdate update, String configHash)
      throws IOException {
    TrainerState state;
    try {
      state = TrainerState.read(checkpoint.state());
    } catch (CheckpointException e) {
      throw new IncompatibleCheckpointException(e.getMessage(), e);
    }
    if (!configHash.equals(state.configHash())) {
      var changed = TrainerConfig.changedFields(state.config(), TrainerConfig.resumeRelevant(job.renderedConfig()));
      throw new IncompatibleCheckpointException("checkpoint " + checkpoint.dir() + " was written under another config; "
          + "changed: " + String.join(", ", changed) + " (only " + String.join(", ", TrainerConfig.RESUMABLE_FIELDS)
          + " may change on resume); start a new run or restore the old settings", null);
    }
    try {
      ModelWeights.load(model, checkpoint.model(), TensorMapping.identity(), true);
      update.restore(checkpoint);
    } catch (IllegalArgumentException e) {
      throw new IncompatibleCheckpointException("checkpoint " + checkpoint.dir() + " does not fit this model: "
          + e.getMessage(), e);
    }
    return state;
  }

  /** Weights only, from an init checkpoint (SFT): the optimizer starts fresh. */
  private void startFrom(TrainingJob.InitCheckpoint init, MM1Model model) throws IOException {
    Checkpoint checkpoint;
    try {
      checkpoint = CheckpointDirectory.verify(init.dir());
    } catch (CheckpointException e) {
      throw new IllegalArgumentException("spec.init: " + e.getMessage(), e);
    }
    if (init.sha256() != null && !init.sha256().equals(checkpoint.manifestSha256())) {
      throw new IllegalArgumentException("spec.init: checkpoint " + init.dir() + " has manifest sha256 "
          + checkpoint.manifestSha256() + ", not the " + init.sha256() + " it was resolved to (it was replaced)");
    }
    try {
      ModelWeights.load(model, checkpoint.model(), TensorMapping.identity(), true);
    } catch (IllegalArgumentException e) {
      throw new IncompatibleCheckpointException("init checkpoint " + init.dir() + " does not fit this model: "
          + e.getMessage(), e);
    }
    log("starting from the weights of " + init.dir() + " (step " + checkpoint.step() + ")");
  }

  private void committed(Checkpoint checkpoint, ControlPlaneReporter reporter) {
    log("checkpoint " + checkpoint.dir().getFileName() + " committed (" + checkpoint.manifest().bytes() / (1 << 20) + " MiB)");
    if (reporter != null) {
      try {
        reporter.checkpoint(new CheckpointRecord(checkpoint.step(), checkpoint.dir().toUri().toString(),
            checkpoint.manifestSha256(), checkpoint.manifest().bytes(), Instant.now()));
      } catch (IOException e) {
        log("could not spool the checkpoint report: " + e.getMessage());
      }
    }
  }

  /** The model's view of packed sequences: one placeholder per image view, images copied into the engine. */
  public static MultimodalBatch modelBatch(List<PackedSequence> sequences, MM1Config config, boolean masking, NDManager manager) {
    int imageId = config.imageTokenId();
    int imageTokens = config.connector().imageTokens();
    var tokens = new int[sequences.size()][];
    var mask = new boolean[sequences.size()][];
    var segments = new int[sequences.size()][];
    int views = 0;
    int pixels = 0;
    for (int i = 0; i < sequences.size(); i++) {
      var row = sequences.get(i).forModel(imageId, imageTokens);
      tokens[i] = row.tokens();
      mask[i] = row.lossMask();
      segments[i] = row.segmentIds();
      for (var image : sequences.get(i).images()) {
        views++;
        pixels += image.pixels().length;
      }
    }
    NDArray images = null;
    if (views > 0) {
      var data = new float[pixels];
      int offset = 0;
      for (var sequence : sequences) {
        for (var image : sequence.images()) {
          System.arraycopy(image.pixels(), 0, data, offset, image.pixels().length);
          offset += image.pixels().length;
        }
      }
      int side = (int) Math.round(Math.sqrt(pixels / (3.0 * views)));
      images = HostArrays.of(manager, data, new Shape(views, 3, side, side));
    }
    return new MultimodalBatch(tokens, images, mask, masking ? segments : null);
  }

  private static void accumulate(List<double[]> load, List<Long> dropped, List<float[]> microLoad, List<Integer> microDropped,
      int micros) {
    for (int layer = 0; layer < microLoad.size(); layer++) {
      if (load.size() <= layer) {
        load.add(new double[microLoad.get(layer).length]);
        dropped.add(0L);
      }
      for (int e = 0; e < microLoad.get(layer).length; e++) {
        load.get(layer)[e] += microLoad.get(layer)[e] / (double) micros;
      }
      dropped.set(layer, dropped.get(layer) + microDropped.get(layer));
    }
  }

  /** Per MoE layer (named by its decoder layer index): each expert's share of assignments and the drops. */
  private static void putMoe(Map<String, Double> values, MM1Config config, List<double[]> load, List<Long> dropped) {
    var moe = config.decoder().moe();
    int ordinal = 0;
    for (int layer = 0; layer < config.decoder().layers() && ordinal < load.size(); layer++) {
      if (!moe.isMoeLayer(layer)) {
        continue;
      }
      var shares = load.get(ordinal);
      for (int e = 0; e < shares.length; e++) {
        values.put("moe/layer" + layer + "/expert_load/" + e, shares[e]);
      }
      values.put("moe/layer" + layer + "/dropped", (double) dropped.get(ordinal));
      ordinal++;
    }
  }
}
