package dev.mm1.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.validation.ResourceValidator;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import dev.mm1.trainer.checkpoint.CheckpointException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An MM1Training spec file run on one machine ({@code ./mm1 train -f}): the spec with
 * {@code --set} overrides applied, validated as the operator validates it (the CRD schema, strictly,
 * then the cross-field rules),
 * {@code file:///data/...} locations mapped under a local data root, and rendered by the same
 * {@link TrainerConfig} the operator uses.
 *
 * @param training the training, overrides applied
 * @param source the spec file
 */
public record LocalRun(MM1Training training, Path source) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern SEGMENT = Pattern.compile("([A-Za-z0-9_]+)((?:\\[\\d+])*)");
  /** The mount the samples assume for data; on one machine it is --data-root. */
  static final String DATA_MOUNT = "/data/";

  public String name() {
    return training.getMetadata().getName();
  }

  /** Reads, overrides, maps and validates {@code file}; errors name the file and the field. */
  public static LocalRun render(Path file, List<String> sets, Path dataRoot) throws IOException {
    JsonNode tree;
    try {
      tree = YAML.readTree(Files.readString(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read spec file " + file + ": "
          + (e instanceof java.nio.file.NoSuchFileException ? "it does not exist" : e.getMessage()));
    }
    if (!(tree instanceof ObjectNode resource) || !(resource.path("spec") instanceof ObjectNode spec)) {
      throw new IllegalArgumentException(file + " is not an MM1Training (no spec); see manifests/samples");
    }
    for (var set : sets) {
      apply(spec, set);
    }
    var violations = new ResourceValidator().violations(resource);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException(file + " is not a valid MM1Training: " + String.join("; ",
          violations.stream().map(Object::toString).toList()));
    }
    mapData(spec, dataRoot.toAbsolutePath());
    var training = YAML.treeToValue(resource, MM1Training.class);
    if (training.getMetadata() == null || training.getMetadata().getName() == null) {
      throw new IllegalArgumentException(file + " has no metadata.name");
    }
    if (training.getMetadata().getNamespace() == null) {
      training.getMetadata().setNamespace("local");
    }
    if (training.getMetadata().getUid() == null) {
      training.getMetadata().setUid("local-" + training.getMetadata().getName());
    }
    return new LocalRun(training, file);
  }

  /**
   * The job of this run in {@code runDir}: the rendered config is written there, and an SFT's
   * {@code init.fromTraining} is found among the run directories under {@code runsRoot}.
   */
  public TrainingJob job(Path runDir, Path runsRoot, TrainingJob.Reporting reporting) throws IOException {
    var spec = training.getSpec();
    CommittedCheckpoint resolved = null;
    TrainingJob.InitCheckpoint init = null;
    if (spec.init != null) {
      if (spec.init.uri != null) {
        init = new TrainingJob.InitCheckpoint(localPath(spec.init.uri, "spec.init.uri"), null);
      } else {
        var checkpoint = resolve(runsRoot.resolve(spec.init.fromTraining), spec.init.step, "spec.init");
        resolved = new CommittedCheckpoint();
        resolved.step = checkpoint.step();
        resolved.uri = checkpoint.dir().toUri().toString();
        resolved.sha256 = checkpoint.manifestSha256();
        init = new TrainingJob.InitCheckpoint(checkpoint.dir(), checkpoint.manifestSha256());
      }
    }
    var dir = runDir.toAbsolutePath();
    Files.createDirectories(dir);
    var rendered = TrainerConfig.render(training, dir.toString(), resolved);
    // Renamed into place: the launchers of a local multi-node gang render the same file at once.
    var temporary = Files.createTempFile(dir, ".config-", ".json");
    Files.writeString(temporary, rendered.json());
    Files.move(temporary, dir.resolve(TrainerConfig.FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new TrainingJob(spec, rendered.json(), dir, dir, init, name(), 1, reporting);
  }

  /**
   * The newest valid checkpoint of another run's directory, or the one of {@code step}; errors name
   * {@code field} (spec.init of a training, spec.checkpoint of an eval) and the run.
   */
  public static dev.mm1.trainer.checkpoint.Checkpoint resolve(Path runDir, String step, String field) {
    var directory = new CheckpointDirectory(runDir);
    if (!Files.isDirectory(runDir)) {
      throw new IllegalArgumentException(field + ".fromTraining: no run directory " + runDir
          + " (train that run first, or set --runs-root)");
    }
    if (step == null || step.equals("latest")) {
      return directory.latestValid(warning -> System.err.println("mm1: " + warning))
          .orElseThrow(() -> new IllegalArgumentException(field + ".fromTraining: " + runDir
              + " holds no valid checkpoint yet"));
    }
    try {
      return directory.verified(Long.parseLong(step));
    } catch (CheckpointException e) {
      throw new IllegalArgumentException(field + ".step " + step + ": " + e.getMessage(), e);
    }
  }

  /** A local path of a file: URI or absolute path; other schemes are refused naming the field. */
  public static Path localPath(String uri, String field) {
    if (uri.startsWith("/")) {
      return Path.of(uri);
    }
    if (uri.startsWith("file:")) {
      return Path.of(URI.create(uri));
    }
    throw new IllegalArgumentException(field + " '" + uri + "': only local checkpoints (file: or an absolute path) "
        + "are supported by this trainer");
  }

  /** {@code file:///data/x} and {@code /data/x} become locations under {@code dataRoot}. */
  static void mapData(ObjectNode spec, Path dataRoot) {
    if (spec.path("data").path("sources") instanceof ArrayNode sources) {
      for (var source : sources) {
        if (source instanceof ObjectNode object && object.hasNonNull("shards")) {
          object.put("shards", mapped(object.get("shards").asText(), dataRoot));
        }
      }
    }
    if (spec.path("model").path("imageEncoder") instanceof ObjectNode encoder && encoder.hasNonNull("pretrainedWeights")) {
      encoder.put("pretrainedWeights", mapped(encoder.get("pretrainedWeights").asText(), dataRoot));
    }
  }

  public static String mapped(String location, Path dataRoot) {
    var root = dataRoot.toString().replaceAll("/+$", "") + "/";
    if (location.startsWith("file://" + DATA_MOUNT)) {
      return "file://" + root + location.substring(("file://" + DATA_MOUNT).length());
    }
    if (location.startsWith(DATA_MOUNT)) {
      return root + location.substring(DATA_MOUNT.length());
    }
    return location;
  }

  /** Applies {@code path=value} (a dotted path below spec, with [i] for list items) to the spec tree. */
  static void apply(ObjectNode spec, String assignment) {
    int equals = assignment.indexOf('=');
    if (equals <= 0) {
      throw new IllegalArgumentException("--set '" + assignment + "': expected PATH=VALUE, e.g. optimization.steps=40");
    }
    var path = assignment.substring(0, equals).trim().replaceFirst("^spec\\.", "");
    JsonNode value;
    try {
      value = YAML.readTree(assignment.substring(equals + 1));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("--set " + path + ": the value is not valid YAML: " + e.getOriginalMessage());
    }
    if (value == null || value.isMissingNode()) {
      value = YAML.getNodeFactory().nullNode();
    }
    JsonNode node = spec;
    var segments = path.split("\\.");
    for (int i = 0; i < segments.length; i++) {
      var matcher = SEGMENT.matcher(segments[i]);
      if (!matcher.matches()) {
        throw new IllegalArgumentException("--set " + path + ": '" + segments[i] + "' is not a field name");
      }
      var field = matcher.group(1);
      var indices = matcher.group(2).isEmpty() ? new String[0] : matcher.group(2).substring(1).split("]\\[?");
      boolean last = i == segments.length - 1;
      if (!(node instanceof ObjectNode object)) {
        throw new IllegalArgumentException("--set " + path + ": spec." + String.join(".", List.of(segments).subList(0, i))
            + " is not an object");
      }
      if (indices.length == 0) {
        if (last) {
          object.set(field, value);
        } else {
          node = object.has(field) ? object.get(field) : object.putObject(field);
        }
        continue;
      }
      node = object.get(field);
      for (int k = 0; k < indices.length; k++) {
        int index = Integer.parseInt(indices[k].replace("]", ""));
        if (!(node instanceof ArrayNode array) || index >= array.size()) {
          throw new IllegalArgumentException("--set " + path + ": spec." + field + " has no item " + index);
        }
        if (last && k == indices.length - 1) {
          array.set(index, value);
        } else {
          node = array.get(index);
        }
      }
    }
  }
}
