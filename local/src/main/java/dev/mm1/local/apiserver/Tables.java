package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Server-side printing: objects as a {@code meta.k8s.io/v1 Table}, which kubectl asks for
 * ({@code Accept: ...;as=Table}) and prints as it comes. A custom resource's columns are its CRD's
 * {@code additionalPrinterColumns} (for ours: phase, step, loss, checkpoint, restarts); built-in
 * kinds get the columns a real API server gives them.
 */
final class Tables {
  private Tables() {}

  /** One column: its definition and how a cell is read from an object. */
  record Column(String name, String type, String format, int priority, String description, Function<JsonNode, Object> cell) {}

  /** Whether an Accept header asks for a Table. */
  static boolean wanted(String accept) {
    return accept != null && accept.contains("as=Table");
  }

  /**
   * The Table of {@code objects}; {@code includeObject} is None, Metadata (the default: a
   * PartialObjectMetadata per row) or Object.
   */
  static ObjectNode table(ResourceType type, List<JsonNode> objects, String includeObject, String resourceVersion, Instant now) {
    var columns = columns(type, now);
    var table = ApiStatus.JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    var meta = table.putObject("metadata");
    if (resourceVersion != null) {
      meta.put("resourceVersion", resourceVersion);
    }
    var definitions = table.putArray("columnDefinitions");
    for (var column : columns) {
      definitions.addObject().put("name", column.name()).put("type", column.type()).put("format", column.format())
          .put("description", column.description()).put("priority", column.priority());
    }
    var rows = table.putArray("rows");
    for (var object : objects) {
      var row = rows.addObject();
      var cells = row.putArray("cells");
      for (var column : columns) {
        add(cells, column.cell().apply(object));
      }
      if ("Object".equals(includeObject)) {
        row.set("object", object);
      } else if (!"None".equals(includeObject)) {
        var partial = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", object.path("metadata"));
      }
    }
    return table;
  }

  private static void add(ArrayNode cells, Object value) {
    switch (value) {
      case null -> cells.addNull();
      case Integer i -> cells.add(i);
      case Long l -> cells.add(l);
      case Double d -> cells.add(d);
      case Boolean b -> cells.add(b);
      case JsonNode node -> cells.add(node);
      default -> cells.add(value.toString());
    }
  }

  static List<Column> columns(ResourceType type, Instant now) {
    var columns = new ArrayList<Column>();
    columns.add(new Column("Name", "string", "name", 0, "Name must be unique within a namespace.", o -> o.path("metadata").path("name").asText()));
    if (type.crd() != null) {
      for (var printer : type.printerColumns()) {
        var path = printer.path("jsonPath").asText();
        var columnType = printer.path("type").asText("string");
        columns.add(new Column(printer.path("name").asText(), columnType, printer.path("format").asText(""),
            printer.path("priority").asInt(0), printer.path("description").asText(""), o -> {
              var value = Admission.at(o, path);
              if (value == null || value.isNull()) {
                return null;
              }
              return columnType.equals("date") ? age(value.asText(), now) : value;
            }));
      }
      if (type.printerColumns().isMissingNode() || type.printerColumns().isEmpty()) {
        columns.add(age(now));
      }
      return columns;
    }
    switch (type.kind()) {
      case "Pod" -> {
        columns.add(new Column("Ready", "string", "", 0, "The number of containers that are ready.", o -> {
          var statuses = o.path("status").path("containerStatuses");
          long ready = 0;
          for (var s : statuses) {
            ready += s.path("ready").asBoolean(false) ? 1 : 0;
          }
          return ready + "/" + o.path("spec").path("containers").size();
        }));
        columns.add(new Column("Status", "string", "", 0, "The aggregate status of the containers in this pod.", Tables::podStatus));
        columns.add(new Column("Restarts", "string", "", 0, "The number of times the containers in this pod have been restarted.", o -> {
          long restarts = 0;
          for (var s : o.path("status").path("containerStatuses")) {
            restarts += s.path("restartCount").asLong(0);
          }
          return Long.toString(restarts);
        }));
        columns.add(age(now));
        columns.add(new Column("IP", "string", "", 1, "IP address allocated to the pod.", o -> o.path("status").path("podIP").asText("<none>")));
        columns.add(new Column("Node", "string", "", 1, "Name of the Node the pod runs on.", o -> o.path("spec").path("nodeName").asText("<none>")));
      }
      case "Job" -> {
        columns.add(new Column("Status", "string", "", 0, "Status of the job.", Tables::jobStatus));
        columns.add(new Column("Completions", "string", "", 0, "The desired number of successfully finished pods the job should be run with.",
            o -> o.path("status").path("succeeded").asInt(0) + "/" + o.path("spec").path("completions").asInt(1)));
        columns.add(new Column("Duration", "string", "", 0, "Time required to complete the job.", o -> {
          var start = o.path("status").path("startTime").asText(null);
          if (start == null) {
            return "";
          }
          var end = o.path("status").path("completionTime").asText(null);
          return humanDuration(Duration.between(Instant.parse(start), end == null ? now : Instant.parse(end)));
        }));
        columns.add(age(now));
      }
      case "Service" -> {
        columns.add(new Column("Type", "string", "", 0, "The type of service.", o -> o.path("spec").path("type").asText("ClusterIP")));
        columns.add(new Column("Cluster-IP", "string", "", 0, "The cluster IP of the service.", o -> o.path("spec").path("clusterIP").asText("<none>")));
        columns.add(new Column("External-IP", "string", "", 0, "The external IPs of the service.", o -> "<none>"));
        columns.add(new Column("Port(s)", "string", "", 0, "The ports of the service.", o -> {
          var ports = new ArrayList<String>();
          o.path("spec").path("ports").forEach(p -> ports.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP")));
          return ports.isEmpty() ? "<none>" : String.join(",", ports);
        }));
        columns.add(age(now));
      }
      case "ConfigMap" -> {
        columns.add(new Column("Data", "integer", "", 0, "Number of data entries.", o -> o.path("data").size() + o.path("binaryData").size()));
        columns.add(age(now));
      }
      case "Secret" -> {
        columns.add(new Column("Type", "string", "", 0, "The type of the secret.", o -> o.path("type").asText("Opaque")));
        columns.add(new Column("Data", "integer", "", 0, "Number of data entries.", o -> o.path("data").size()));
        columns.add(age(now));
      }
      case "Event" -> {
        columns.clear();
        columns.add(new Column("Last Seen", "string", "", 0, "Time since the event last happened.",
            o -> age(o.path("lastTimestamp").asText(o.path("eventTime").asText(o.path("metadata").path("creationTimestamp").asText())), now)));
        columns.add(new Column("Type", "string", "", 0, "Normal or Warning.", o -> o.path("type").asText()));
        columns.add(new Column("Reason", "string", "", 0, "Why the event happened.", o -> o.path("reason").asText()));
        columns.add(new Column("Object", "string", "", 0, "The object the event is about.",
            o -> o.path("involvedObject").path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "/" + o.path("involvedObject").path("name").asText()));
        columns.add(new Column("Message", "string", "", 0, "What happened.", o -> o.path("message").asText()));
        columns.add(new Column("Name", "string", "name", 1, "The event's own name.", o -> o.path("metadata").path("name").asText()));
      }
      case "PersistentVolumeClaim" -> {
        columns.add(new Column("Status", "string", "", 0, "Phase of the claim.", o -> o.path("status").path("phase").asText("Pending")));
        columns.add(new Column("Volume", "string", "", 0, "The bound volume.", o -> o.path("spec").path("volumeName").asText("")));
        columns.add(new Column("Capacity", "string", "", 0, "Storage of the claim.", o -> o.path("status").path("capacity").path("storage").asText("")));
        columns.add(new Column("Access Modes", "string", "", 0, "Access modes.", o -> accessModes(o.path("spec").path("accessModes"))));
        columns.add(age(now));
      }
      case "PersistentVolume" -> {
        columns.add(new Column("Capacity", "string", "", 0, "Storage of the volume.", o -> o.path("spec").path("capacity").path("storage").asText("")));
        columns.add(new Column("Access Modes", "string", "", 0, "Access modes.", o -> accessModes(o.path("spec").path("accessModes"))));
        columns.add(new Column("Status", "string", "", 0, "Phase of the volume.", o -> o.path("status").path("phase").asText("Available")));
        columns.add(new Column("Claim", "string", "", 0, "The claim bound to it.", o -> {
          var ref = o.path("spec").path("claimRef");
          return ref.isMissingNode() ? "" : ref.path("namespace").asText() + "/" + ref.path("name").asText();
        }));
        columns.add(age(now));
      }
      case "Namespace" -> {
        columns.add(new Column("Status", "string", "", 0, "Phase of the namespace.", o -> o.path("status").path("phase").asText("Active")));
        columns.add(age(now));
      }
      case "Node" -> {
        columns.add(new Column("Status", "string", "", 0, "Whether the node is ready.", o -> {
          for (var c : o.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
              return c.path("status").asText().equals("True") ? "Ready" : "NotReady";
            }
          }
          return "Unknown";
        }));
        columns.add(new Column("Roles", "string", "", 0, "Roles of the node.", o -> "<none>"));
        columns.add(age(now));
        columns.add(new Column("Version", "string", "", 0, "Kubelet version.", o -> o.path("status").path("nodeInfo").path("kubeletVersion").asText("")));
      }
      default -> columns.add(age(now));
    }
    return columns;
  }

  private static String accessModes(JsonNode modes) {
    var shortNames = new ArrayList<String>();
    for (var mode : modes) {
      shortNames.add(switch (mode.asText()) {
        case "ReadWriteOnce" -> "RWO";
        case "ReadOnlyMany" -> "ROX";
        case "ReadWriteMany" -> "RWX";
        case "ReadWriteOncePod" -> "RWOP";
        default -> mode.asText();
      });
    }
    return String.join(",", shortNames);
  }

  private static Column age(Instant now) {
    return new Column("Age", "string", "", 0, "Time since the object was created.",
        o -> age(o.path("metadata").path("creationTimestamp").asText(null), now));
  }

  private static String age(String timestamp, Instant now) {
    if (timestamp == null || timestamp.isEmpty()) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), now));
    } catch (RuntimeException e) {
      return "<unknown>";
    }
  }

  /** kubectl's STATUS of a pod: Terminating, a container's waiting or terminated reason, else the phase. */
  static String podStatus(JsonNode pod) {
    if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
      return "Terminating";
    }
    var reason = pod.path("status").path("phase").asText("Pending");
    for (var s : pod.path("status").path("containerStatuses")) {
      var state = s.path("state");
      if (state.has("waiting") && state.path("waiting").hasNonNull("reason")) {
        reason = state.path("waiting").path("reason").asText();
      } else if (state.has("terminated")) {
        var terminated = state.path("terminated");
        reason = terminated.hasNonNull("reason") ? terminated.path("reason").asText()
            : "ExitCode:" + terminated.path("exitCode").asInt();
      }
    }
    return reason;
  }

  private static String jobStatus(JsonNode job) {
    for (var condition : job.path("status").path("conditions")) {
      if (condition.path("status").asText().equals("True")) {
        switch (condition.path("type").asText()) {
          case "Complete" -> {
            return "Complete";
          }
          case "Failed" -> {
            return "Failed";
          }
          case "FailureTarget" -> {
            return "FailureTarget";
          }
          default -> {
            // Suspended and other conditions do not end the job
          }
        }
      }
    }
    if (job.path("spec").path("suspend").asBoolean(false)) {
      return "Suspended";
    }
    return job.path("metadata").hasNonNull("deletionTimestamp") ? "Terminating" : "Running";
  }

  /** Kubernetes' human-readable duration (apimachinery duration.HumanDuration): 45s, 3m20s, 5h10m, 2d3h. */
  static String humanDuration(Duration d) {
    if (d.compareTo(Duration.ofSeconds(-1)) < 0) {
      return "<invalid>";
    }
    if (d.isNegative()) {
      return "0s";
    }
    long seconds = d.toSeconds();
    if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
