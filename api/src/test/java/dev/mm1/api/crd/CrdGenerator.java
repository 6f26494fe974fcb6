package dev.mm1.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.mm1.api.v1alpha1.ListType;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Generates the CRDs of {@link MM1Training} and {@link MM1Eval} with Fabric8's CRD generator,
 * then fills in what Fabric8 does not take from our classes: each property's description from its
 * field's Javadoc and its default from the field initializer. A field without Javadoc fails the
 * build, so {@code kubectl explain} never shows an undocumented field.
 *
 * <p>Run by the build ({@code process-test-classes}) into {@code api/target/crds}; the profile
 * {@code write-crds} writes into {@code manifests/crds} instead.
 */
public final class CrdGenerator {
  static final List<Class<? extends CustomResource<?, ?>>> RESOURCES = List.of(MM1Training.class, MM1Eval.class);
  private static final String OUR_PACKAGE = "dev.mm1.api.";

  private final JavadocIndex docs;
  private final ObjectMapper mapper = new ObjectMapper();
  private final List<String> undocumented = new ArrayList<>();

  private CrdGenerator(JavadocIndex docs) {
    this.docs = docs;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: CrdGenerator SOURCE_ROOT OUTPUT_DIR");
    }
    var written = generate(Path.of(args[0]), Path.of(args[1]));
    written.forEach(path -> System.out.println("CRD written: " + path));
  }

  /** Writes one {@code <plural>.<group>.yaml} per custom resource into outputDir. */
  static List<Path> generate(Path sourceRoot, Path outputDir) throws IOException {
    var generator = new CrdGenerator(JavadocIndex.of(sourceRoot));
    Files.createDirectories(outputDir);
    var written = new ArrayList<Path>();
    new CRDGenerator()
        .forCRDVersions("v1")
        .withParallelGenerationEnabled(false)
        .withMinQuotes(true)
        .withPostProcessor(new CRDPostProcessor() {
          @Override
          public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            generator.complete((CustomResourceDefinition) crd);
            return crd;
          }
        })
        .withOutput(new CRDGenerator.CRDOutput<OutputStream>() {
          @Override
          public OutputStream outputFor(String crdName) throws IOException {
            var path = outputDir.resolve(crdName.replaceFirst("-v1$", "") + ".yaml");
            written.add(path);
            return Files.newOutputStream(path);
          }

          @Override
          public void close() {}
        })
        .customResourceClasses(new ArrayList<>(RESOURCES))
        .generate();
    if (!generator.undocumented.isEmpty()) {
      throw new IllegalStateException(
          "CRD fields need a one-line Javadoc (it becomes the kubectl explain text): " + generator.undocumented);
    }
    return written;
  }

  private void complete(CustomResourceDefinition crd) {
    var resource = RESOURCES.stream()
        .filter(type -> crd.getSpec().getNames().getKind().equals(type.getSimpleName()))
        .findFirst()
        .orElseThrow();
    var version = crd.getSpec().getVersions().getFirst();
    // Fabric8 sorts printer columns by name; kubectl shows them in the order they are declared.
    var declared = Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
    version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(column -> declared.indexOf(column.getName())));
    var root = version.getSchema().getOpenAPIV3Schema();
    root.setDescription(docs.classDoc(resource).orElseThrow());
    var typeArguments = ((ParameterizedType) resource.getGenericSuperclass()).getActualTypeArguments();
    describeObject(root.getProperties().get("spec"), (Class<?>) typeArguments[0], true);
    describeObject(root.getProperties().get("status"), (Class<?>) typeArguments[1], false);
  }

  /** Describes a property whose value is an object of one of our classes, then its properties. */
  private void describeObject(JSONSchemaProps schema, Class<?> type, boolean withDefaults) {
    if (schema.getDescription() == null) {
      docs.classDoc(type).ifPresent(schema::setDescription);
    }
    var defaults = withDefaults ? mapper.valueToTree(newInstance(type)) : JsonNodeFactory.instance.objectNode();
    var required = schema.getRequired() == null ? List.<String>of() : schema.getRequired();
    for (Map.Entry<String, JSONSchemaProps> property : schema.getProperties().entrySet()) {
      var name = property.getKey();
      var propertySchema = property.getValue();
      var field = field(type, name);
      docs.fieldDoc(type, name).ifPresentOrElse(
          propertySchema::setDescription, () -> undocumented.add(type.getSimpleName() + "." + name));
      applyListType(propertySchema, field.getAnnotation(ListType.class));
      boundIntegers(propertySchema, field.getGenericType());
      JsonNode fallback = defaults.get(name);
      if (fallback != null && !fallback.isNull() && !required.contains(name)) {
        // An object default is {} so that the API server fills the nested defaults in.
        propertySchema.setDefault(fallback.isObject() ? JsonNodeFactory.instance.objectNode() : fallback);
      }
      describeValue(propertySchema, field.getGenericType(), withDefaults);
    }
  }

  /** x-kubernetes-list-type from {@link ListType}; the keys of a list-map must be required in its items. */
  private static void applyListType(JSONSchemaProps schema, ListType listType) {
    if (listType == null) {
      return;
    }
    schema.setXKubernetesListType(listType.value());
    if ("map".equals(listType.value())) {
      schema.setXKubernetesListMapKeys(List.of(listType.keys()));
      var items = schema.getItems().getSchema();
      var required = new ArrayList<>(items.getRequired() == null ? List.<String>of() : items.getRequired());
      for (var key : listType.keys()) {
        if (!required.contains(key)) {
          required.add(key);
        }
      }
      items.setRequired(required);
    }
  }

  /**
   * A 32-bit Java field (or list of them) holds no more than a 32-bit value: the schema says so,
   * so the API server refuses 3000000000 instead of the operator failing to read it.
   */
  private static void boundIntegers(JSONSchemaProps schema, Type type) {
    var target = schema;
    var valueType = type;
    if (type instanceof ParameterizedType generic && List.class.isAssignableFrom((Class<?>) generic.getRawType())) {
      target = schema.getItems().getSchema();
      valueType = generic.getActualTypeArguments()[0];
    }
    if (valueType == Integer.class || valueType == int.class) {
      if (target.getMaximum() == null) {
        target.setMaximum((double) Integer.MAX_VALUE);
      }
      if (target.getMinimum() == null) {
        target.setMinimum((double) Integer.MIN_VALUE);
      }
    }
  }

  private void describeValue(JSONSchemaProps schema, Type type, boolean withDefaults) {
    if (type instanceof ParameterizedType generic) {
      var raw = (Class<?>) generic.getRawType();
      var arguments = generic.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        describeValue(schema.getItems().getSchema(), arguments[0], withDefaults);
      } else if (Map.class.isAssignableFrom(raw)) {
        describeValue(schema.getAdditionalProperties().getSchema(), arguments[1], withDefaults);
      }
    } else if (type instanceof Class<?> plain && isOurs(plain) && !plain.isEnum()) {
      describeObject(schema, plain, withDefaults);
    }
  }

  private static boolean isOurs(Class<?> type) {
    return type.getName().startsWith(OUR_PACKAGE);
  }

  private static Field field(Class<?> type, String name) {
    try {
      return type.getField(name);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("schema property " + name + " has no public field in " + type.getName(), e);
    }
  }

  private static Object newInstance(Class<?> type) {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type.getName() + " needs a public no-argument constructor", e);
    }
  }
}
