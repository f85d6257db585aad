package io.github.foliolab.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed v1 conformance script (docs/conformance-format.md): the commands with their echo text and line numbers,
 * checked as the real runner checks them before running anything.
 */
public final class Script {
    /** A region as the script declares it. */
    public record Region(String name, int index, long pages) {}

    /** One command: its tokens, source line, echo text and resolved region. */
    public record Command(int line, String[] tok, String echo, Region region, long start, long len) {
        public String op() {
            return tok[0];
        }
    }

    static final int MAX_TOKENS = 8;
    static final int MAX_NAME = 32;
    static final int MAX_REGIONS = 64;
    static final int MAX_CMDS = 4096;
    static final long MAX_PAGES = 65536;
    /** runner.c's MAX_SCRIPT: a script of this many bytes or more is "script too long". */
    static final int MAX_SCRIPT = 256 * 1024;

    private final String file;
    private final List<Command> commands = new ArrayList<>();
    private final Map<String, Region> regions = new LinkedHashMap<>();

    private Script(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public List<Command> commands() {
        return commands;
    }

    private ScriptException error(int line, String msg) {
        return new ScriptException(file, line, msg);
    }

    /** parse_num(): decimal digits only, at most about 10^9. */
    private long num(String s, int line) {
        if (s.isEmpty()) throw error(line, "bad number");
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9' || n > 100_000_000L) throw error(line, "bad number");
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static boolean prot(String s) {
        return s.equals("none") || s.equals("r") || s.equals("rw");
    }

    /** Parse the text of a script named {@code file}. */
    public static Script parse(String file, String text) {
        Script sc = new Script(file);
        sc.parseAll(text);
        return sc;
    }

    private void parseAll(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length >= MAX_SCRIPT) {
            int line = 1; // the line holding the byte at which runner.c's buffer is full
            for (int i = 0; i < MAX_SCRIPT - 1; i++) if (bytes[i] == '\n') line++;
            throw error(line, "script too long");
        }
        String[] lines = text.split("\n", -1);
        boolean seenMunmap = false;
        for (int li = 0; li < lines.length; li++) {
            int line = li + 1;
            String l = lines[li];
            int hash = l.indexOf('#');
            if (hash >= 0) l = l.substring(0, hash);
            List<String> toks = new ArrayList<>();
            for (String t : l.split("[ \t\r]+")) {
                if (!t.isEmpty()) toks.add(t);
            }
            if (toks.isEmpty()) continue;
            if (toks.size() > MAX_TOKENS) throw error(line, "too many tokens");
            if (commands.size() == MAX_CMDS) throw error(line, "too many commands");
            String[] tok = toks.toArray(new String[0]);
            String echo = String.join(" ", tok);
            Region region = null;
            long start = 0;
            long len = 0;
            switch (tok[0]) {
                case "mmap" -> {
                    if (tok.length < 5 || tok.length > 7) throw error(line, "mmap R N KIND PROT [populate] [locked]");
                    if (seenMunmap) throw error(line, "mmap after munmap");
                    if (regions.containsKey(tok[1])) throw error(line, "region mapped twice");
                    if (tok[1].length() >= MAX_NAME || regions.size() == MAX_REGIONS) {
                        throw error(line, "region name too long or too many regions");
                    }
                    long n = num(tok[2], line);
                    if (n == 0 || n > MAX_PAGES) throw error(line, "bad number");
                    if (!List.of("anon", "shmem", "file", "file-private").contains(tok[3])) {
                        throw error(line, "unknown mapping kind");
                    }
                    if (!prot(tok[4])) throw error(line, "unknown protection");
                    boolean pop = false;
                    boolean lck = false;
                    for (int i = 5; i < tok.length; i++) {
                        if (tok[i].equals("populate") && !pop) {
                            pop = true;
                        } else if (tok[i].equals("locked") && !lck) {
                            lck = true;
                        } else {
                            throw error(line, "bad mmap option");
                        }
                    }
                    region = new Region(tok[1], regions.size(), n);
                    regions.put(tok[1], region);
                    len = n;
                }
                case "munmap", "mlock", "munlock" -> {
                    if (tok.length != 4) throw error(line, "expected R START LEN");
                    region = range(tok, line);
                    if (tok[0].equals("munmap")) seenMunmap = true;
                }
                case "mprotect" -> {
                    if (tok.length != 5) throw error(line, "mprotect R START LEN PROT");
                    region = range(tok, line);
                    if (!prot(tok[4])) throw error(line, "unknown protection");
                }
                case "touch" -> {
                    if (tok.length != 5) throw error(line, "touch R START LEN read|write");
                    region = range(tok, line);
                    if (!tok[4].equals("read") && !tok[4].equals("write")) {
                        throw error(line, "touch mode must be read or write");
                    }
                }
                case "mlock2" -> {
                    if (tok.length != 4 && tok.length != 5) throw error(line, "mlock2 R START LEN [onfault]");
                    region = range(tok, line);
                    if (tok.length == 5 && !tok[4].equals("onfault")) throw error(line, "mlock2 flag must be onfault");
                }
                case "mlockall" -> {
                    if (tok.length != 2) throw error(line, "mlockall FLAGS");
                    if (!tok[1].equals("future") && !tok[1].equals("future,onfault")) {
                        throw error(line, "mlockall FLAGS must be future or future,onfault");
                    }
                }
                case "munlockall" -> {
                    if (tok.length != 1) throw error(line, "munlockall takes no argument");
                }
                case "madvise" -> {
                    if (tok.length != 5) throw error(line, "madvise R START LEN ADVICE");
                    region = range(tok, line);
                    if (!List.of("dontneed", "cold", "pageout", "willneed").contains(tok[4])) {
                        throw error(line, "unknown advice");
                    }
                }
                case "drain" -> {
                    if (tok.length != 1) throw error(line, "drain takes no argument");
                }
                case "check" -> {
                    if (tok.length != 1) throw error(line, "check takes no argument");
                }
                default -> throw error(line, "unknown command");
            }
            if (region != null && !tok[0].equals("mmap")) {
                start = num(tok[2], line);
                len = num(tok[3], line);
            }
            commands.add(new Command(line, tok, echo, region, start, len));
        }
    }

    /** parse_range(): an existing region and a page range inside its original size. */
    private Region range(String[] tok, int line) {
        Region r = regions.get(tok[1]);
        if (r == null) throw error(line, "unknown region");
        long start = num(tok[2], line);
        long len = num(tok[3], line);
        if (len == 0) throw error(line, "empty page range");
        if (start >= r.pages() || len > r.pages() - start) throw error(line, "page outside region");
        return r;
    }
}
