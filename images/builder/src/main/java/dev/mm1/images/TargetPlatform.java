package dev.mm1.images;

import java.util.Locale;
import java.util.Set;

/**
 * The OS and CPU architecture an image is built for, in the OCI spelling ({@code linux/amd64}).
 *
 * @param os the OCI {@code os}, e.g. linux
 * @param architecture the OCI {@code architecture}, e.g. amd64 or arm64
 */
public record TargetPlatform(String os, String architecture) {
  private static final Set<String> ARCHITECTURES = Set.of("amd64", "arm64", "ppc64le", "s390x", "riscv64");

  /** Parses {@code OS/ARCHITECTURE}; {@code option} names the setting in the error. */
  public static TargetPlatform parse(String text, String option) {
    var parts = text == null ? new String[0] : text.strip().split("/");
    if (parts.length != 2 || !"linux".equals(parts[0]) || !ARCHITECTURES.contains(parts[1])) {
      throw ImageBuildException.invalid(option + " is '" + text + "'; expected linux/ARCHITECTURE with ARCHITECTURE one of "
          + String.join(", ", ARCHITECTURES.stream().sorted().toList()) + ", e.g. linux/amd64");
    }
    return new TargetPlatform(parts[0], parts[1]);
  }

  /** The platform of this JVM's machine. */
  public static TargetPlatform host() {
    var arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    return new TargetPlatform("linux", switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    });
  }

  @Override
  public String toString() {
    return os + "/" + architecture;
  }
}
