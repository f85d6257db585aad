package io.github.foliolab.conformance;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed input to the entry point {@code bin/foliolab script} uses ({@link ScriptRunner#run(String,
 * byte[], Appendable)}): random bytes, valid scripts cut short, with numbers too large, with tokens and
 * lines replaced by noise, and with one line repeated thousands of times. Every input either runs to a
 * transcript or is refused with a {@link ScriptException} whose message is {@code FILE:LINE: message}
 * with LINE a line of the input (what the CLI prints before exiting with 2); nothing else may escape,
 * so the CLI never shows a stack trace. The transcript is streamed, never held, and its size is bounded
 * by what the script asks to print.
 */
class ScriptInputFuzzTest {
    static final Pattern MESSAGE = Pattern.compile("(?s)\\A(.+?):([0-9]+): (\\S.*)\\z");
    static final String NAME = "fuzz.script";

    static final AtomicLong INPUTS = new AtomicLong();
    static final AtomicLong REFUSED = new AtomicLong();
    static final AtomicLong RAN = new AtomicLong();

    @Property
    void randomBytesAreRunOrRefusedWithFileAndLine(@ForAll("bytes") byte[] input) {
        check(input);
    }

    @Property
    void damagedScriptsAreRunOrRefusedWithFileAndLine(@ForAll("damaged") String input) {
        check(input.getBytes(StandardCharsets.UTF_8));
    }

    /** The largest script the format allows, as one repeated line: refused by its size, at the line the runner stops. */
    @Example
    void aScriptOfTooManyBytesIsRefusedAtTheLineWhereTheLimitFalls() {
        String line = "check\n";
        String text = line.repeat(Script.MAX_SCRIPT / line.length() + 1);
        ScriptException e = refused(text.getBytes(StandardCharsets.UTF_8));
        assertEquals(Script.MAX_SCRIPT / line.length() + 1, e.line());
        assertTrue(e.getMessage().endsWith("script too long"));
    }

    @Example
    void moreCommandsThanTheRunnerHoldsAreRefused() {
        String text = "mmap A 1 anon rw\n" + "drain\n".repeat(Script.MAX_CMDS);
        ScriptException e = refused(text.getBytes(StandardCharsets.UTF_8));
        assertEquals(Script.MAX_CMDS + 1, e.line());
        assertTrue(e.getMessage().endsWith("too many commands"));
    }

    /** Output is streamed: a script that prints 16 x 64 Ki page tokens per check is never held whole. */
    @Example
    void theTranscriptIsStreamedNotKept() {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 16; r++) sb.append("mmap R").append(r).append(" 65536 anon none\n");
        sb.append("check\n".repeat(4));
        long[] longestWrite = {0};
        long[] total = {0};
        ScriptRunner.run(NAME, sb.toString().getBytes(StandardCharsets.UTF_8), new Appendable() {
            @Override
            public Appendable append(CharSequence csq) {
                longestWrite[0] = Math.max(longestWrite[0], csq.length());
                total[0] += csq.length();
                return this;
            }

            @Override
            public Appendable append(CharSequence csq, int start, int end) {
                return append(csq.subSequence(start, end));
            }

            @Override
            public Appendable append(char c) {
                total[0]++;
                return this;
            }
        });
        assertTrue(total[0] > 4L * 16 * 65536 * 2, "every page token printed: " + total[0]);
        assertTrue(longestWrite[0] < 1024, "written in small pieces, longest " + longestWrite[0]);
    }

    private static AtomicBoolean reported = new AtomicBoolean();

    @AfterContainer
    static void report() {
        if (!reported.getAndSet(true)) {
            System.out.println("[script input fuzzer] inputs " + INPUTS + ", refused with FILE:LINE " + REFUSED + ", ran " + RAN);
        }
    }

    // ---------------------------------------------------------------- checks

    static void check(byte[] input) {
        INPUTS.incrementAndGet();
        int lines = 1;
        for (byte b : input) if (b == '\n') lines++;
        StringBuilder out = new StringBuilder();
        try {
            ScriptRunner.run(NAME, input, out);
            RAN.incrementAndGet();
        } catch (ScriptException e) {
            REFUSED.incrementAndGet();
            Matcher m = MESSAGE.matcher(e.getMessage());
            assertTrue(m.matches(), "not FILE:LINE: message: " + e.getMessage());
            assertEquals(NAME, m.group(1));
            int line = Integer.parseInt(m.group(2));
            assertTrue(line >= 1 && line <= lines, "line " + line + " outside the input's " + lines + " lines");
            assertEquals(line, e.line());
            assertTrue(!m.group(3).contains("\n"), "one-line message: " + e.getMessage());
        }
    }

    private static ScriptException refused(byte[] input) {
        try {
            ScriptRunner.run(NAME, input, new StringBuilder());
        } catch (ScriptException e) {
            check(input);
            return e;
        }
        throw new AssertionError("not refused");
    }

    // ---------------------------------------------------------------- generators

    private static final java.util.List<Byte> WORD_BYTES = new java.util.ArrayList<>();

    static {
        for (byte x : "mmap munmap touch check drain 0123456789 RA anon rw".getBytes(StandardCharsets.US_ASCII)) WORD_BYTES.add(x);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<Byte> b = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.bytes()),
                Tuple.of(2, Arbitraries.of((byte) '\n', (byte) ' ', (byte) '\t', (byte) '\r', (byte) '#', (byte) 0)),
                Tuple.of(3, Arbitraries.of(WORD_BYTES)));
        return b.array(byte[].class).ofMaxSize(600);
    }

    static final String[] NOISE = {"99999999999999999999", "100000001", "4294967296", "-1", "0", "65537",
        "0x10", "1e9", "\u00e9", "\uFFFD", "\u0000", "#", "on", "format", "2", "R0", "R99", "", "  ", "\t\t",
        "mmap", "check", "touch", "locked", "populate", "onfault", "future,onfault", "current"};

    @Provide
    Arbitrary<String> damaged() {
        Arbitrary<Long> seeds = Arbitraries.longs();
        Arbitrary<Integer> how = Arbitraries.integers().between(0, 5);
        Arbitrary<Integer> where = Arbitraries.integers().between(0, 10_000);
        Arbitrary<Integer> times = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.integers().between(1, 20)),
                Tuple.of(1, Arbitraries.integers().between(1000, 5000)));
        return Combinators.combine(seeds, how, where, times).as(ScriptInputFuzzTest::damage);
    }

    /** A random valid script (small regions, so that the runs stay short), damaged in one way. */
    static String damage(long seed, int how, int where, int times) {
        String script = smallScript(new Random(seed));
        String[] lines = script.split("\n", -1);
        int li = where % lines.length;
        StringBuilder sb = new StringBuilder();
        switch (how) {
            case 0 -> { // truncated at any byte
                return script.substring(0, where % (script.length() + 1));
            }
            case 1 -> { // a token replaced by a huge or wrong number or noise
                String[] tok = lines[li].split(" ");
                tok[where % tok.length] = NOISE[times % NOISE.length];
                lines[li] = String.join(" ", tok);
            }
            case 2 -> { // a line repeated many times
                for (int i = 0; i < lines.length; i++) {
                    sb.append((lines[i] + "\n").repeat(i == li ? Math.min(times, 3000) : 1));
                }
                return sb.toString();
            }
            case 3 -> lines[li] = lines[li] + " " + NOISE[times % NOISE.length]; // an extra token
            case 4 -> lines[li] = NOISE[times % NOISE.length] + " " + lines[li]; // a token before the command
            default -> lines[li] = ""; // a line dropped (regions may go undefined)
        }
        return String.join("\n", lines);
    }

    /** RandomScriptTest's generator: regions of at most 40 pages, so runs stay short even when repeated. */
    private static String smallScript(Random r) {
        return RandomScriptTest.script(r);
    }
}
