package io.github.foliolab.conformance;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository is what users get: its documentation (README.md, docs/, the corpus notes) and its
 * sources never cite a file outside it, and every repository path the documentation names in
 * backquotes exists.
 */
class DocsCiteRepositoryTest {
    /** Machine paths and the documents that used to live beside the checkout. */
    static final Pattern OUTSIDE = Pattern.compile(
            "/work/|\\.\\./shared|\\bshared/(?:kernel|conformance)|(?<![-\\w])semantics\\.md|\\bFORMAT\\.md");
    /**
     * A backquoted path into one of the repository's top-level directories (`mm/...` only with src/ or
     * pom.xml after it: `mm/swap.c` is the kernel's), not a placeholder such as NAME.script.
     */
    static final Pattern CITED = Pattern.compile("`((?:docs|scripts|conformance|bin|bench|examples|folio-api"
            + "|folio-impl|lru|mlock|explore|mm(?=/src/|/pom\\.xml))/(?![\\w./-]*NAME)[\\w./-]+)`");

    static Path root() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isRegularFile(root.resolve("scripts/kernel-map.py"))) {
            root = root.getParent();
        }
        assertTrue(root != null, "repository root not found above " + Path.of("").toAbsolutePath());
        return root;
    }

    static List<Path> files(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(root.resolve("README.md"));
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).toString().contains("target/"))
                    .filter(p -> !root.relativize(p).startsWith(".git"))
                    .filter(p -> {
                        String rel = root.relativize(p).toString();
                        return rel.startsWith("docs/") && rel.endsWith(".md")
                                || rel.startsWith("conformance/scripts/") && rel.endsWith(".md")
                                || rel.endsWith(".java") || rel.endsWith(".c") || rel.endsWith(".sh")
                                || rel.startsWith("scripts/") && rel.endsWith(".py");
                    })
                    .forEach(out::add);
        }
        return out;
    }

    @Test
    void nothingCitesAFileOutsideTheRepository() throws IOException {
        Path root = root();
        List<String> found = new ArrayList<>();
        for (Path f : files(root)) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (OUTSIDE.matcher(lines.get(i)).find() && !f.endsWith("DocsCiteRepositoryTest.java")) {
                    found.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), found, "cite docs/kernel-semantics.md or docs/conformance-format.md instead");
    }

    @Test
    void everyCitedRepositoryPathExists() throws IOException {
        Path root = root();
        List<String> missing = new ArrayList<>();
        for (Path f : files(root)) {
            String rel = root.relativize(f).toString();
            if (!rel.endsWith(".md")) {
                continue;
            }
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = CITED.matcher(lines.get(i));
                while (m.find()) {
                    String cited = m.group(1).replaceAll("[.]$", "");
                    if (!Files.exists(root.resolve(cited))) {
                        missing.add(rel + ":" + (i + 1) + ": " + cited);
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "documentation names files that are not in the repository");
    }
}
