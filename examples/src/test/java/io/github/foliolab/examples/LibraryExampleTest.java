package io.github.foliolab.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The README's library example is this module's LibraryExample, and it runs as the README says. */
class LibraryExampleTest {
    private static final String START = "// --- the README's library example starts here ---\n";
    private static final String END = "// --- the README's library example ends here ---";

    @Test
    void readmeShowsTheExampleVerbatim() throws IOException {
        Path module = Path.of("").toAbsolutePath();
        String src = Files.readString(module.resolve("src/main/java/io/github/foliolab/examples/LibraryExample.java"));
        String body = src.substring(src.indexOf(START) + START.length(), src.indexOf(END)).strip();
        String readme = Files.readString(module.getParent().resolve("README.md"));
        assertTrue(readme.contains(body), "README.md must contain LibraryExample.java's example verbatim "
                + "(between the marker comments); copy it again after changing the example");
    }

    @Test
    void exampleRunsAndPrintsWhatTheKernelWould() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            LibraryExample.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("touched:  - - - -"), out);
        assertTrue(out.contains("drained:  L L L L"), out);
        assertTrue(out.contains("mlock = 0: MUL MUL L L"), out);
        assertTrue(out.contains("VmLck 8 kB, nr_mlock 2, nr_unevictable 2"), out);
    }
}
