package dev.mm1.evaluator.prompt;

import dev.mm1.evaluator.data.ItemId;
import java.nio.file.Path;
import java.util.List;

/**
 * A rendered few-shot prompt, ready for the model: token ids with one {@code <image>} id per
 * image, and the images in the order their placeholders appear (the shots', then the query's).
 *
 * @param tokens BOS, the prefix, the shots and the query, tokenised with {@code MM1Tokenizer}
 * @param images the image files, one per {@code <image>} in {@code tokens}, in order
 * @param shots the ids of the support samples shown (image ids for captioning, question ids for VQA)
 * @param text the prompt as text, special tokens written by name (for logs and debugging)
 */
public record FewShotPrompt(int[] tokens, List<Path> images, List<ItemId> shots, String text) {}
