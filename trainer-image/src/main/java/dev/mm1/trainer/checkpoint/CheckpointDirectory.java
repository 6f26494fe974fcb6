package dev.mm1.trainer.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run's checkpoint directory: {@code step-NNNNNNNNN/} subdirectories, each written into a
 * hidden temporary directory, fsynced, and renamed into place, so a {@code step-*} directory is
 * either a whole checkpoint or was damaged afterwards (which its manifest shows). Hidden
 * {@code .tmp-*} and {@code .deleting-*} leftovers of a crash are removed at start.
 */
public final class CheckpointDirectory {
  private static final Pattern STEP = Pattern.compile("step-(\\d{9})");

  private final Path root;

  public CheckpointDirectory(Path root) {
    this.root = root.toAbsolutePath();
  }

  public Path root() {
    return root;
  }

  /** {@code step-000001000} for step 1000. */
  public static String name(long step) {
    return String.format("step-%09d", step);
  }

  /** Creates the directory if needed and proves it writable; the error names it. */
  public void prepare() throws IOException {
    try {
      Files.createDirectories(root);
      var probe = root.resolve(".write-probe-" + UUID.randomUUID());
      Files.writeString(probe, "mm1");
      Files.delete(probe);
    } catch (java.nio.file.FileSystemException e) {
      throw new IOException("checkpoint directory " + root + " is not writable: " + e.getMessage(), e);
    }
  }

  /** Steps of the {@code step-*} directories present, ascending (not verified). */
  public List<Long> steps() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries.map(p -> STEP.matcher(p.getFileName().toString()))
          .filter(java.util.regex.Matcher::matches)
          .map(m -> Long.parseLong(m.group(1)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("listing checkpoints in " + root, e);
    }
  }

  /**
   * The newest checkpoint whose manifest verifies. Each newer one that does not is skipped with a
   * warning naming it and the problem.
   */
  public Optional<Checkpoint> latestValid(Consumer<String> warn) {
    var steps = new ArrayList<>(steps());
    steps.sort(Comparator.reverseOrder());
    for (long step : steps) {
      try {
        return Optional.of(verified(step));
      } catch (CheckpointException e) {
        warn.accept("skipping checkpoint " + root.resolve(name(step)) + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** The checkpoint of {@code step}, verified; the error names what is wrong. */
  public Checkpoint verified(long step) throws CheckpointException {
    return verify(root.resolve(name(step)));
  }

  /** A checkpoint directory anywhere (an SFT's init), verified; the error names what is wrong. */
  public static Checkpoint verify(Path dir) throws CheckpointException {
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException(dir + " is not a directory");
    }
    var manifest = CheckpointManifest.read(dir);
    var name = dir.getFileName().toString();
    var matcher = STEP.matcher(name);
    if (matcher.matches() && Long.parseLong(matcher.group(1)) != manifest.step()) {
      throw new CheckpointException(dir + " holds the manifest of step " + manifest.step());
    }
    manifest.verify(dir);
    try {
      return new Checkpoint(dir, manifest.step(), manifest, CheckpointManifest.sha256(dir.resolve(CheckpointManifest.FILE)));
    } catch (IOException e) {
      throw new CheckpointException(dir.resolve(CheckpointManifest.FILE) + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** A fresh hidden directory to write the checkpoint of {@code step} into. */
  Path newTemporary(long step) throws IOException {
    return Files.createDirectories(root.resolve(".tmp-" + name(step) + "-" + UUID.randomUUID()));
  }

  /**
   * The hidden directory the data-parallel ranks of gang attempt {@code attempt} write the
   * checkpoint of {@code step} into (ZeRO-1: each rank its optimizer shard).
   */
  public Path sharedTemporary(long step, int attempt) {
    return root.resolve(".tmp-" + name(step) + "-attempt-" + attempt);
  }

  /** Rank 0: makes {@link #sharedTemporary} empty, before the other ranks are told to write into it. */
  public Path prepareSharedTemporary(long step, int attempt) throws IOException {
    var dir = sharedTemporary(step, attempt);
    deleteTree(dir);
    return Files.createDirectories(dir);
  }

  /** Removes the hidden leftovers of an interrupted write or deletion. */
  public void removeLeftovers() throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> entries = Files.list(root)) {
      for (var entry : entries.toList()) {
        var name = entry.getFileName().toString();
        if (name.startsWith(".tmp-step-") || name.startsWith(".deleting-")) {
          deleteTree(entry);
        }
      }
    }
  }

  /**
   * Makes {@code temporary} (files fsynced) the checkpoint of {@code step}: fsyncs it, renames it to
   * {@code step-NNNNNNNNN} (moving aside a damaged directory of the same step) and fsyncs the parent.
   */
  Path commit(Path temporary, long step) throws IOException {
    fsync(temporary);
    var target = root.resolve(name(step));
    if (Files.exists(target)) {
      // Only a damaged one can be here: a resumed run starts after the newest valid checkpoint.
      var aside = root.resolve(".deleting-" + name(step) + "-" + UUID.randomUUID());
      Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
      fsync(root);
      deleteTree(aside);
    }
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    fsync(root);
    return target;
  }

  /** Deletes all but the newest {@code keepLast} checkpoints (never {@code keep}); returns the steps deleted. */
  List<Long> prune(int keepLast, long keep) throws IOException {
    var steps = steps();
    var deleted = new ArrayList<Long>();
    for (int i = 0; i < steps.size() - keepLast; i++) {
      long step = steps.get(i);
      if (step == keep) {
        continue;
      }
      // Renamed first, so a crash half-way through the deletion never leaves a step-* directory behind.
      var aside = root.resolve(".deleting-" + name(step) + "-" + UUID.randomUUID());
      Files.move(root.resolve(name(step)), aside, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(aside);
      deleted.add(step);
    }
    if (!deleted.isEmpty()) {
      fsync(root);
    }
    return deleted;
  }

  /** fsync of a file or directory (Linux lets a directory be opened for reading and forced). */
  static void fsync(Path path) throws IOException {
    try (var channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (var path : walk.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(path);
        } catch (NoSuchFileException ignored) {
          // already gone
        }
      }
    }
  }
}
