package dev.mm1.api.crd;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * The first sentence-paragraph of the Javadoc of every class and field in a source tree, read
 * with javac's own parser so that the Javadoc stays the single source of CRD descriptions.
 */
final class JavadocIndex {
  private final Map<String, String> classDocs = new HashMap<>();
  private final Map<String, String> fieldDocs = new HashMap<>();

  static JavadocIndex of(Path sourceRoot) throws IOException {
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(sourceRoot)) {
      sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    var compiler = ToolProvider.getSystemJavaCompiler();
    var files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjectsFromPaths(sources);
    var task = (JavacTask) compiler.getTask(null, null, null, List.of("-proc:none"), null, files);
    var docTrees = DocTrees.instance(task);
    var index = new JavadocIndex();
    for (CompilationUnitTree unit : task.parse()) {
      var pkg = unit.getPackageName() == null ? "" : unit.getPackageName() + ".";
      new TreePathScanner<Void, Void>() {
        private final Deque<String> classes = new ArrayDeque<>();

        @Override
        public Void visitClass(ClassTree node, Void unused) {
          var name = classes.isEmpty() ? pkg + node.getSimpleName() : classes.peek() + "$" + node.getSimpleName();
          doc().ifPresent(text -> index.classDocs.put(name, text));
          classes.push(name);
          try {
            return super.visitClass(node, unused);
          } finally {
            classes.pop();
          }
        }

        @Override
        public Void visitVariable(VariableTree node, Void unused) {
          if (getCurrentPath().getParentPath().getLeaf().getKind() != Tree.Kind.METHOD && !classes.isEmpty()) {
            doc().ifPresent(text -> index.fieldDocs.put(classes.peek() + "#" + node.getName(), text));
          }
          return null; // no nested declarations of interest inside initializers
        }

        private Optional<String> doc() {
          return Optional.ofNullable(docTrees.getDocComment(getCurrentPath())).map(JavadocIndex::summary);
        }
      }.scan(unit, null);
    }
    return index;
  }

  Optional<String> classDoc(Class<?> type) {
    return Optional.ofNullable(classDocs.get(type.getName()));
  }

  Optional<String> fieldDoc(Class<?> type, String field) {
    return Optional.ofNullable(fieldDocs.get(type.getName() + "#" + field));
  }

  /** The text before the first blank line or block tag, with inline tags reduced to their text. */
  static String summary(String raw) {
    var text = raw.strip();
    var paragraphEnd = text.indexOf("\n\n");
    if (paragraphEnd >= 0) {
      text = text.substring(0, paragraphEnd);
    }
    var tag = text.indexOf("\n@");
    if (tag >= 0) {
      text = text.substring(0, tag);
    }
    text = text.replaceAll("\\{@(?:code|literal) ([^}]*)}", "$1");
    text = text.replaceAll("\\{@link(?:plain)? (?:[\\w.]*\\.)?([\\w#]+)[^}]*}", "$1");
    text = text.replaceAll("<[^>]+>", "");
    return text.replaceAll("\\s+", " ").strip();
  }
}
