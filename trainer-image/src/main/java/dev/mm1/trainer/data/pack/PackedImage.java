package dev.mm1.trainer.data.pack;

/**
 * One image-encoder input of a packed sequence, with where it came from.
 *
 * @param source data source name
 * @param key sample key
 * @param name member name within the sample ({@code jpg}, {@code 2.png})
 * @param view view index: 0 without sub-images; 0–3 the crops and 4 the whole image with them
 * @param pixels CHW floats, CLIP-normalised
 */
public record PackedImage(String source, String key, String name, int view, float[] pixels) {}
