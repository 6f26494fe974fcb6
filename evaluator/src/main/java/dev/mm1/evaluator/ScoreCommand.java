package dev.mm1.evaluator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.evaluator.data.CaptionReferences;
import dev.mm1.evaluator.data.JsonInput;
import dev.mm1.evaluator.data.Predictions;
import dev.mm1.evaluator.data.VqaAnnotations;
import dev.mm1.evaluator.metrics.VqaAccuracy;
import dev.mm1.evaluator.score.CaptionScorer;
import dev.mm1.evaluator.score.VqaScorer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mm1 score}: the official captioning and VQA metrics on files in the public formats.
 * A table on stdout, then one JSON object on the last line; progress and warnings on stderr.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Score predictions against references with the official metrics (exit codes: 0 scored, "
        + "2 invalid arguments or input, 70 internal error).",
    subcommands = {ScoreCommand.Caption.class, ScoreCommand.Vqa.class})
public final class ScoreCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return Commands.configure(new CommandLine(new ScoreCommand()), "mm1 score");
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "name a task: caption or vqa");
  }

  /** {@code score caption}. */
  @Command(name = "caption", mixinStandardHelpOptions = true,
      description = "CIDEr-D and BLEU-1..4 exactly as pycocoevalcap computes them (its PTB tokenisation, "
          + "document frequencies from the references scored).")
  static final class Caption implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--references", required = true, paramLabel = "COCO_CAPTIONS.json",
        description = "Reference captions in COCO captions format: {\"images\": [{\"id\"}], \"annotations\": "
            + "[{\"image_id\", \"caption\"}]}.")
    Path references;

    @Option(names = "--predictions", required = true, paramLabel = "RESULTS.json",
        description = "Predictions in COCO results format: [{\"image_id\", \"caption\"}], one per image of the references.")
    Path predictions;

    @Option(names = "--allow-empty-predictions",
        description = "Score captions that are empty after tokenisation as 0 (as the original does) instead of refusing them.")
    boolean allowEmpty;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      err.println("reading " + references + " and " + predictions);
      err.flush();
      CaptionReferences refs = CaptionReferences.readCoco(references);
      var predicted = Predictions.captions(predictions);
      err.printf("tokenizing and scoring %d images, %d references%n", refs.imageIds().size(), refs.referenceCount());
      err.flush();
      CaptionScorer.Scores scores = CaptionScorer.score(refs, predicted, predictions.toString(), allowEmpty, message -> {
        err.println("warning: " + message);
        err.flush();
      });
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-12s %10s%n", "metric", "value");
      out.printf("%-12s %10.4f%n", "CIDEr-D", scores.cider());
      out.printf("%-12s %10.2f%n", "CIDEr-D x100", scores.ciderTimes100());
      for (int k = 0; k < 4; k++) {
        out.printf("%-12s %10.4f%n", "BLEU-" + (k + 1), scores.bleu()[k]);
      }
      out.printf("%-12s %10d%n", "images", scores.images());
      out.printf("%-12s %10d%n", "references", scores.references());
      ObjectNode json = JsonInput.JSON.createObjectNode();
      json.put("task", "caption");
      json.put("cider", scores.cider());
      json.put("cider_x100", scores.ciderTimes100());
      for (int k = 0; k < 4; k++) {
        json.put("bleu" + (k + 1), scores.bleu()[k]);
      }
      json.put("images", scores.images());
      json.put("references", scores.references());
      json.put("predictions", predicted.size());
      json.put("candidate_words", scores.candidateWords());
      json.put("reference_words", scores.referenceWords());
      out.println(json);
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code score vqa}. */
  @Command(name = "vqa", mixinStandardHelpOptions = true,
      description = "VQA accuracy exactly as the official VQAv2 evaluation computes it (answer normalisation, "
          + "min(#matches/3, 1) over the 10 leave-one-out subsets, rounding as Python 2 rounds).")
  static final class Vqa implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--questions", required = true, paramLabel = "Q.json",
        description = "VQAv2 questions file: {\"questions\": [{\"question_id\", \"image_id\", \"question\"}]}.")
    Path questions;

    @Option(names = "--annotations", required = true, paramLabel = "A.json",
        description = "VQAv2 annotations file: {\"annotations\": [{\"question_id\", \"answer_type\", \"question_type\", "
            + "\"answers\": [{\"answer\", \"answer_id\"}]}]}.")
    Path annotations;

    @Option(names = "--predictions", required = true, paramLabel = "RESULTS.json",
        description = "Answers in VQAv2 results format: [{\"question_id\", \"answer\"}], one per annotated question.")
    Path predictions;

    @Option(names = "--allow-empty-predictions", description = "Score empty answers as wrong instead of refusing them.")
    boolean allowEmpty;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      err.println("reading " + questions + ", " + annotations + " and " + predictions);
      err.flush();
      VqaAnnotations truth = VqaAnnotations.readVqaV2(questions, annotations);
      var predicted = Predictions.answers(predictions);
      err.printf("scoring %d questions%n", truth.questions().size());
      err.flush();
      VqaAccuracy.Result result = VqaScorer.score(truth, predicted, predictions.toString(), allowEmpty);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-24s %8s%n", "answer type", "accuracy");
      out.printf("%-24s %8.2f%n", "overall", result.accuracy());
      result.perAnswerType().forEach((type, accuracy) -> out.printf(Locale.ROOT, "%-24s %8.2f%n", type, accuracy));
      ObjectNode json = JsonInput.JSON.createObjectNode();
      json.put("task", "vqa");
      json.put("accuracy", result.accuracy());
      ObjectNode perAnswerType = json.putObject("per_answer_type");
      result.perAnswerType().forEach(perAnswerType::put);
      ObjectNode perQuestionType = json.putObject("per_question_type");
      result.perQuestionType().forEach(perQuestionType::put);
      json.put("questions", truth.questions().size());
      json.put("predictions", predicted.size());
      out.println(json);
      out.flush();
      return ExitCodes.OK;
    }
  }
}
