package dev.gantry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of the source text that the formatter does not enforce, over every module's main and test sources: a type is
 * imported, not named in full inline. Naming it in full is allowed only where its simple name is taken (imported from
 * another package, declared in the file or in its package, or named in full from two packages in the file).
 */
class SourceRulesTest {

    /** The repository root: the parent of this module. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.])((?:java|javax|jakarta|io|com|org|dev|net|sun)(?:\\.[a-z][a-z0-9_]*)+)\\.([A-Z]\\w*)");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+([\\w.]+)\\.(\\w+);", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z]\\w*)");

    @Test
    void typesAreImportedNotNamedInFullInline() throws IOException {
        List<Path> sources = sources();
        assertTrue(sources.size() > 100, "found the sources of every module under " + ROOT);
        List<String> violations = new ArrayList<>();
        for (Path file : sources) {
            violations.addAll(inlineQualifiedNames(file));
        }
        assertEquals(List.of(), violations, "import these types (./mvnw spotless:apply then sorts the imports)");
    }

    @Test
    void theRuleSeesANameInFullAndAllowsAClash() {
        assertEquals(List.of("A.java:4 java.util.ArrayList"), violations("A.java", """
                        package p;
                        import java.util.List;
                        class A {
                            List<String> a = new java.util.ArrayList<>();
                            // java.util.HashMap in a comment, "java.util.HashMap" in a string
                            java.awt.List b;
                        }
                        """, Set.of()));
    }

    private static List<Path> sources() throws IOException {
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.filter(Files::isDirectory).toList()) {
                for (String set : List.of("main", "test")) {
                    Path dir = module.resolve("src").resolve(set).resolve("java");
                    if (Files.isDirectory(dir)) {
                        try (Stream<Path> files = Files.walk(dir)) {
                            files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
                        }
                    }
                }
            }
        }
        return sources;
    }

    private static List<String> inlineQualifiedNames(Path file) {
        try {
            Set<String> samePackage = new HashSet<>();
            try (Stream<Path> siblings = Files.list(file.getParent())) {
                siblings.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(".java"))
                        .forEach(n -> samePackage.add(n.substring(0, n.length() - ".java".length())));
            }
            return violations(ROOT.relativize(file).toString(), Files.readString(file), samePackage);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> violations(String name, String source, Set<String> samePackage) {
        String code = withoutCommentsAndLiterals(source);
        Map<String, String> imported = new HashMap<>();
        Matcher imports = IMPORT.matcher(code);
        while (imports.find()) {
            imported.put(imports.group(2), imports.group(1));
        }
        Matcher pkg = PACKAGE.matcher(code);
        String ownPackage = pkg.find() ? pkg.group(1) : "";
        Set<String> declared = new HashSet<>(samePackage);
        Matcher declarations = DECLARED.matcher(code);
        while (declarations.find()) {
            declared.add(declarations.group(1));
        }
        String[] lines = code.split("\n", -1);
        Map<String, Set<String>> packagesBySimpleName = new HashMap<>();
        for (String line : lines) {
            if (!line.startsWith("import ") && !line.startsWith("package ")) {
                Matcher m = QUALIFIED.matcher(line);
                while (m.find()) {
                    packagesBySimpleName
                            .computeIfAbsent(m.group(2), k -> new HashSet<>())
                            .add(m.group(1));
                }
            }
        }
        List<String> violations = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("import ") || line.startsWith("package ")) {
                continue;
            }
            Matcher m = QUALIFIED.matcher(line);
            while (m.find()) {
                String simple = m.group(2);
                String owner = m.group(1);
                boolean clash = packagesBySimpleName.get(simple).size() > 1
                        || (imported.containsKey(simple)
                                && !imported.get(simple).equals(owner))
                        || (declared.contains(simple) && !owner.equals(ownPackage));
                if (!clash) {
                    violations.add(name + ":" + (i + 1) + " " + owner + "." + simple);
                }
            }
        }
        return violations;
    }

    /** The source with comments, string and character literals blanked, keeping its lines. */
    static String withoutCommentsAndLiterals(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blankKeepingLines(source, i, end, out);
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                blankKeepingLines(source, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(c).append(c);
                i = Math.min(n, j + 1);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blankKeepingLines(String source, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            out.append(source.charAt(k) == '\n' ? '\n' : ' ');
        }
    }
}
