package dev.mm1.api.validation;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kubernetes' own syntax rules for names, labels, paths and quantities, each returning what is
 * wrong (empty when the value is fine), so that a rule can say it with the field's path.
 */
public final class KubernetesSyntax {
  private KubernetesSyntax() {}

  private static final Pattern DNS_1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  private static final Pattern ENV_NAME = Pattern.compile("^[-._a-zA-Z][-._a-zA-Z0-9]*$");

  /** Directories of a node that a checkpoint hostPath may never be, nor be inside. */
  private static final List<String> NODE_SYSTEM_TREES = List.of(
      "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/root", "/run", "/sbin",
      "/sys", "/usr", "/var/lib/kubelet", "/var/lib/containerd", "/var/lib/docker", "/var/lib/cni", "/var/log", "/var/run");
  /** Directories of a node that hold others' data: a checkpoint hostPath may be below them, never them. */
  private static final List<String> NODE_SHARED_ROOTS = List.of(
      "/", "/home", "/mnt", "/media", "/opt", "/srv", "/tmp", "/var", "/var/lib", "/data");
  /** Container directories a mount would break (the kernel's, the service account token's). */
  private static final List<String> CONTAINER_SYSTEM_TREES = List.of(
      "/proc", "/sys", "/dev", "/bin", "/sbin", "/lib", "/lib64", "/usr", "/var/run/secrets", "/run/secrets");

  public static Optional<String> dns1123Label(String value) {
    if (value.length() > 63) {
      return Optional.of("'" + value + "' is " + value.length() + " characters; a DNS label has at most 63");
    }
    return DNS_1123_LABEL.matcher(value).matches() ? Optional.empty()
        : Optional.of("'" + value + "' is not a DNS-1123 label (lower-case letters, digits and '-', alphanumeric at both ends)");
  }

  public static Optional<String> dns1035Label(String value) {
    if (value.length() > 63) {
      return Optional.of("'" + value + "' is " + value.length() + " characters; a DNS label has at most 63");
    }
    return DNS_1035_LABEL.matcher(value).matches() ? Optional.empty()
        : Optional.of("'" + value + "' is not a DNS-1035 label (a lower-case letter first, then lower-case letters, digits and '-')");
  }

  public static Optional<String> dns1123Subdomain(String value) {
    if (value.length() > 253) {
      return Optional.of("'" + value + "' is " + value.length() + " characters; at most 253 are allowed");
    }
    return DNS_1123_SUBDOMAIN.matcher(value).matches() ? Optional.empty()
        : Optional.of("'" + value + "' is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')");
  }

  /** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
  public static Optional<String> labelKey(String key) {
    var slash = key.indexOf('/');
    var name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      var prefix = key.substring(0, slash);
      if (prefix.isEmpty() || dns1123Subdomain(prefix).isPresent()) {
        return Optional.of("key '" + key + "' has a prefix that is not a DNS subdomain");
      }
    }
    if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matcher(name).matches()) {
      return Optional.of("key '" + key + "' is not a label key (an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' and '.', alphanumeric at both ends)");
    }
    return Optional.empty();
  }

  /** A label value: empty, or up to 63 letters, digits, '-', '_' and '.', alphanumeric at both ends. */
  public static Optional<String> labelValue(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    if (value.length() > 63 || !QUALIFIED_NAME.matcher(value).matches()) {
      return Optional.of("value '" + value + "' is not a label value (up to 63 letters, digits, '-', '_' and '.', alphanumeric at both ends)");
    }
    return Optional.empty();
  }

  public static Optional<String> envName(String name) {
    return name != null && ENV_NAME.matcher(name).matches() ? Optional.empty()
        : Optional.of("'" + name + "' is not an environment variable name (letters, digits, '_', '-' and '.', not starting with a digit)");
  }

  /** A positive quantity ("500m", "64Gi"); its amount, or what is wrong with it. */
  public static Optional<String> positiveQuantity(Quantity quantity) {
    try {
      BigDecimal amount = Quantity.getAmountInBytes(quantity);
      return amount.signum() > 0 ? Optional.empty() : Optional.of("'" + quantity + "' must be greater than 0");
    } catch (RuntimeException e) {
      return Optional.of("'" + quantity + "' is not a quantity such as 500m, 8 or 64Gi");
    }
  }

  /** An absolute path without '.', '..' or empty segments and without a trailing '/'. */
  public static Optional<String> cleanAbsolutePath(String path) {
    if ("/".equals(path)) {
      return Optional.empty();
    }
    if (path == null || !path.startsWith("/")) {
      return Optional.of("'" + path + "' is not an absolute path");
    }
    for (var segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return Optional.of("'" + path + "' must be a clean absolute path (no '.', '..' or '//' segments and no trailing '/')");
      }
    }
    return Optional.empty();
  }

  /** Whether one of the two paths is the other or lies inside it. */
  public static boolean overlaps(String a, String b) {
    return a.equals(b) || a.startsWith(b.endsWith("/") ? b : b + "/") || b.startsWith(a.endsWith("/") ? a : a + "/");
  }

  /** A node directory a training may keep checkpoints in (a hostPath): not the root, a shared root or a system tree. */
  public static Optional<String> checkpointHostPath(String path) {
    var clean = cleanAbsolutePath(path);
    if (clean.isPresent()) {
      return clean;
    }
    if (NODE_SHARED_ROOTS.contains(path)) {
      return Optional.of("'" + path + "' is a top directory of the node; use a directory of its own below it, e.g. " + ("/".equals(path) ? "" : path) + "/mm1-checkpoints");
    }
    for (var system : NODE_SYSTEM_TREES) {
      if (path.equals(system) || path.startsWith(system + "/")) {
        return Optional.of("'" + path + "' is in the node's system directory " + system + "; use a directory on a shared mount such as /mnt/shared/checkpoints");
      }
    }
    return Optional.empty();
  }

  /** A container mount path: clean, absolute, and not over the container's system directories. */
  public static Optional<String> containerMountPath(String path) {
    var clean = cleanAbsolutePath(path);
    if (clean.isPresent()) {
      return clean;
    }
    if (path.equals("/")) {
      return Optional.of("'/' would hide the container's whole file system");
    }
    for (var system : CONTAINER_SYSTEM_TREES) {
      if (path.equals(system) || path.startsWith(system + "/")) {
        return Optional.of("'" + path + "' is inside the container's system directory " + system);
      }
    }
    return Optional.empty();
  }
}
