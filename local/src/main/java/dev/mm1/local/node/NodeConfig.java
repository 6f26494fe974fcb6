package dev.mm1.local.node;

import java.nio.file.Path;
import java.util.Map;

/**
 * The local node: its name, where its filesystem and its pods live on this machine, and what it
 * can run.
 *
 * @param name the Node's name
 * @param root the node's root filesystem: a hostPath {@code /x} is {@code root/x}
 * @param hostDirectories node paths backed by directories of this machine instead (e.g. /data, the
 *     local data directory), like a VM's shared folders
 * @param pods where each pod's volumes and container logs go ({@code pods/NAMESPACE/POD})
 * @param mm1 the {@code ./mm1} command that stands in for the MM1 image's entrypoint
 * @param javaHome the JDK the containers' {@code ./mm1} runs on
 * @param cpus CPUs the node offers to pods (requests beyond it leave pods Pending, Unschedulable)
 * @param memoryBytes memory the node offers to pods
 * @param state where the node keeps what must survive its own restart (the PIDs it started)
 */
public record NodeConfig(String name, Path root, Map<String, Path> hostDirectories, Path pods, Path mm1,
    Path javaHome, int cpus, long memoryBytes, Path state) {

  /** Where node path {@code path} is on this machine. */
  public Path local(String path) {
    var clean = path.replaceAll("/+$", "");
    for (var entry : hostDirectories.entrySet()) {
      var base = entry.getKey().replaceAll("/+$", "");
      if (clean.equals(base)) {
        return entry.getValue();
      }
      if (clean.startsWith(base + "/")) {
        return entry.getValue().resolve(clean.substring(base.length() + 1));
      }
    }
    return root.resolve(clean.replaceAll("^/+", ""));
  }
}
