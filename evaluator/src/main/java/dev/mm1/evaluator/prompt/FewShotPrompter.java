package dev.mm1.evaluator.prompt;

import dev.mm1.api.v1alpha1.BenchmarkTask;
import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.benchmark.CaptionSample;
import dev.mm1.evaluator.benchmark.VqaSample;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Lays out few-shot prompts: k support examples (image + caption, or image + question + answer)
 * drawn by {@link ShotSampler}, then the query, rendered by the benchmark's {@link PromptTemplate}
 * and tokenised with the model's {@link MM1Tokenizer}. The text of the dataset (captions,
 * questions, answers) may not contain special tokens: they would be read as structure.
 */
public final class FewShotPrompter {
  private final MM1Tokenizer tokenizer;
  private final PromptTemplate template;
  private final long seed;
  private final Set<Integer> specialIds;

  public FewShotPrompter(MM1Tokenizer tokenizer, PromptTemplate template, long seed) {
    this.tokenizer = tokenizer;
    this.template = template;
    this.seed = seed;
    this.specialIds = Set.of(tokenizer.bos(), tokenizer.eos(), tokenizer.pad(), tokenizer.image(), tokenizer.endOfChunk(),
        tokenizer.userRole(), tokenizer.assistantRole());
  }

  /** A captioning prompt: {@code shots} image + caption examples, then the query image. */
  public FewShotPrompt caption(CaptionSample query, List<CaptionSample> support, int shots) {
    requireTask(BenchmarkTask.Captioning);
    ShotSampler<CaptionSample> sampler = new ShotSampler<>(support, CaptionSample::imageId, seed);
    SplittableRandom random = sampler.random(query.imageId());
    StringBuilder text = new StringBuilder(template.prefix());
    List<Path> images = new ArrayList<>();
    List<ItemId> ids = new ArrayList<>();
    for (CaptionSample shot : sampler.draw(query.imageId(), shots, random)) {
      // One of the image's references, chosen by the query's stream.
      String caption = checked(shot.references().get(random.nextInt(shot.references().size())), "caption of image " + shot.imageId());
      text.append(template.example(Map.of(PromptTemplate.IMAGE, "<image>", PromptTemplate.CAPTION, caption)));
      images.add(shot.image());
      ids.add(shot.imageId());
    }
    text.append(template.query(Map.of(PromptTemplate.IMAGE, "<image>")));
    images.add(query.image());
    return render(text.toString(), images, ids);
  }

  /** A VQA prompt: {@code shots} image + question + answer examples, then the query's image and question. */
  public FewShotPrompt vqa(VqaSample query, List<VqaSample> support, int shots) {
    requireTask(BenchmarkTask.VQA);
    ShotSampler<VqaSample> sampler = new ShotSampler<>(support, VqaSample::imageId, seed);
    SplittableRandom random = sampler.random(query.questionId());
    StringBuilder text = new StringBuilder(template.prefix());
    List<Path> images = new ArrayList<>();
    List<ItemId> ids = new ArrayList<>();
    for (VqaSample shot : sampler.draw(query.imageId(), shots, random)) {
      text.append(template.example(Map.of(PromptTemplate.IMAGE, "<image>",
          PromptTemplate.QUESTION, checked(shot.question(), "question " + shot.questionId()),
          PromptTemplate.ANSWER, checked(shot.exampleAnswer(), "answer of question " + shot.questionId()))));
      images.add(shot.image());
      ids.add(shot.questionId());
    }
    text.append(template.query(Map.of(PromptTemplate.IMAGE, "<image>",
        PromptTemplate.QUESTION, checked(query.question(), "question " + query.questionId()))));
    images.add(query.image());
    return render(text.toString(), images, ids);
  }

  private FewShotPrompt render(String text, List<Path> images, List<ItemId> shots) {
    int[] encoded = tokenizer.encode(text);
    int[] tokens = new int[encoded.length + 1];
    tokens[0] = tokenizer.bos();
    System.arraycopy(encoded, 0, tokens, 1, encoded.length);
    long placeholders = java.util.Arrays.stream(tokens).filter(id -> id == tokenizer.image()).count();
    if (placeholders != images.size()) {
      throw new InvalidInputException("prompt.prefix: the prompt holds " + placeholders + " <image> tokens for "
          + images.size() + " images; write images only through {image} in prompt.example");
    }
    return new FewShotPrompt(tokens, List.copyOf(images), List.copyOf(shots), "<|bos|>" + text);
  }

  /** Dataset text with a special token in it would be read as prompt structure: refused, naming the sample. */
  private String checked(String value, String what) {
    for (int id : tokenizer.encode(value)) {
      if (specialIds.contains(id)) {
        throw new InvalidInputException("the " + what + " contains the special token " + tokenizer.decode(new int[] {id})
            + ", which would be read as prompt structure: '" + value + "'");
      }
    }
    return value;
  }

  private void requireTask(BenchmarkTask task) {
    if (template.task() != task) {
      throw new IllegalArgumentException("this prompter's template is for " + template.task() + ", not " + task);
    }
  }
}
