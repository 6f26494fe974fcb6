package dev.mm1.evaluator.benchmark;

import dev.mm1.evaluator.data.ItemId;
import java.nio.file.Path;
import java.util.List;

/**
 * One image of a captioning set.
 *
 * @param imageId the image's id in the dataset (the id results are written with)
 * @param image the image file
 * @param references its reference captions, in file order
 */
public record CaptionSample(ItemId imageId, Path image, List<String> references) {}
