package dev.mm1.images;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What goes into one image on top of its base: layers from the stablest (libraries) to the most
 * often changed (our modules), and the container config. A pure description: {@link ImageWriter}
 * turns it into an image, and tests read it without building anything.
 *
 * @param name the image's name in {@link ImageNames} (mm1, mm1-operator, mm1-control-plane)
 * @param title the OCI title label
 * @param description the OCI description label
 * @param layers the layers, in image order
 * @param entrypoint the container's entrypoint
 * @param command the default arguments after the entrypoint
 * @param environment variables added to the base's
 * @param workingDirectory the working directory
 * @param ports exposed TCP ports (documentation for users and tools)
 */
public record ImageRecipe(
    String name,
    String title,
    String description,
    List<Layer> layers,
    List<String> entrypoint,
    List<String> command,
    Map<String, String> environment,
    String workingDirectory,
    List<Integer> ports) {

  /** The user every image runs as: numeric, so Kubernetes' runAsNonRoot can check it. */
  public static final String USER = "65532:65532";
  /** Home of that user (HOME; writable by it, nothing else is). */
  public static final String HOME = "/home/mm1";
  /** Where the application's files go. */
  public static final String APP = "/app";

  /**
   * One layer.
   *
   * @param name what it holds, for reports
   * @param ours whether it changes when only our own classes change (the layer split's numerator)
   * @param entries its files and directories
   */
  public record Layer(String name, boolean ours, List<Entry> entries) {}

  /**
   * A file or directory of a layer.
   *
   * @param source the file on this machine (a directory entry's source is any directory)
   * @param target its absolute path in the image
   * @param mode its octal permissions
   * @param ownership {@code uid:gid}
   */
  public record Entry(Path source, String target, String mode, String ownership) {
    public static Entry file(Path source, String target) {
      return new Entry(source, target, "644", "0:0");
    }
  }
}
