package io.github.foliolab.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed conformance script of format v1 or v2 (docs/conformance-format.md): the commands with their
 * echo text and line numbers, checked as the real runner checks them before running anything. A script
 * is v2 when its first command line is {@code format 2}.
 */
public final class Script {
    /**
     * A region as the script declares it; {@code source} is the region whose file {@code file@S} maps.
     *
     * @param name the region's name in the script
     * @param index its position among the script's regions (0-based)
     * @param pages its length in pages (4 KiB each)
     * @param kind what backs it: {@code anon}, or the kind of file a v2 script declares
     * @param source the region whose file this one maps ({@code file@S}), or null
     */
    public record Region(String name, int index, long pages, String kind, Region source) {
        /**
         * An anonymous region without a source file.
         *
         * @param name the region's name in the script
         * @param index its position among the script's regions (0-based)
         * @param pages its length in pages (4 KiB each)
         */
        public Region(String name, int index, long pages) {
            this(name, index, pages, "anon", null);
        }
    }

    /** Who runs a command (v2): the main thread on CPU 0, the CPU 1 thread ({@code on 1}), the child. */
    public enum Where {
        /** The main thread, on CPU 0. */
        MAIN,
        /** The second thread, on CPU 1 ({@code on 1 ...}). */
        CPU1,
        /** The forked child process ({@code child ...}). */
        CHILD
    }

    /**
     * One command: its source line, its tokens without an {@code on 1} / {@code child} prefix, the echo
     * text (the whole line), the resolved region and page range, who runs it, and for {@code mmap} the
     * index of the mmap command in the script (v2's address hint).
     *
     * @param line the 1-based line number in the script file
     * @param tok the tokens, the command name first
     * @param echo the whole line, as the transcript echoes it
     * @param region the region the command names, or null
     * @param start the first page of the range, in pages from the region's start
     * @param len the range's length in pages
     * @param where who runs the command
     * @param mmapIndex for {@code mmap}, the index of this mmap among the script's; -1 otherwise
     */
    public record Command(int line, String[] tok, String echo, Region region, long start, long len, Where where,
            int mmapIndex) {
        /**
         * A command the main thread runs, not an {@code mmap}.
         *
         * @param line the 1-based line number in the script file
         * @param tok the tokens, the command name first
         * @param echo the whole line, as the transcript echoes it
         * @param region the region the command names, or null
         * @param start the first page of the range, in pages from the region's start
         * @param len the range's length in pages
         */
        public Command(int line, String[] tok, String echo, Region region, long start, long len) {
            this(line, tok, echo, region, start, len, Where.MAIN, -1);
        }

        /** {@return the command's name (its first token), e.g. {@code mlock}} */
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
    /** The v2 advices beside v1's dontneed, cold, pageout and willneed. */
    static final List<String> V2_ADVICES = List.of("free", "dontneed_locked", "populate_read", "populate_write",
            "hugepage", "nohugepage");
    /** What {@code on 1} takes. */
    static final List<String> CPU1_OK = List.of("touch", "mlock", "mlock2", "munlock", "munmap", "mprotect",
            "madvise", "drain", "move", "pin", "unpin", "mlockall", "munlockall");
    /** What {@code child} takes. */
    static final List<String> CHILD_OK = List.of("touch", "mlock", "mlock2", "munlock", "munmap", "mprotect",
            "madvise", "drain");

    private final String file;
    private final List<Command> commands = new ArrayList<>();
    private final Map<String, Region> regions = new LinkedHashMap<>();
    private boolean v2;
    private boolean seenMunmap;
    private int nmmaps;
    private boolean childAlive;
    /** Pins not yet unpinned, as "region start len". */
    private final List<String> livePins = new ArrayList<>();

    private Script(String file) {
        this.file = file;
    }

    /** {@return the script's file name, as error messages print it} */
    public String file() {
        return file;
    }

    /** {@return the commands in script order} */
    public List<Command> commands() {
        return commands;
    }

    /** {@return true for a format v2 script (its first command is {@code format 2})} */
    public boolean v2() {
        return v2;
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

    /**
     * Parse the text of a script named {@code file}.
     *
     * @param file the script's file name, for error messages
     * @param text the script's text
     * @return the parsed script
     * @throws ScriptException {@code file:LINE: message} for a script the real runner also refuses
     */
    public static Script parse(String file, String text) {
        return parse(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Parse a script file's bytes, as the real runner reads them: the size limit counts bytes, and bytes
     * that are not UTF-8 become U+FFFD, which no command, name or number contains (so they give the
     * script error the runner gives for those bytes).
     *
     * @param file the script's file name, for error messages
     * @param bytes the file's contents
     * @return the parsed script
     * @throws ScriptException {@code file:LINE: message} for a script the real runner also refuses
     */
    public static Script parse(String file, byte[] bytes) {
        Script sc = new Script(file);
        sc.parseAll(bytes);
        return sc;
    }

    private void parseAll(byte[] bytes) {
        if (bytes.length >= MAX_SCRIPT) {
            int line = 1; // the line holding the byte at which runner.c's buffer is full
            for (int i = 0; i < MAX_SCRIPT - 1; i++) if (bytes[i] == '\n') line++;
            throw error(line, "script too long");
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
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
            commands.add(parseWords(tok, String.join(" ", tok), line, Where.MAIN));
        }
    }

    /** parse_words() of runner.c: one command (without its prefix) run by {@code where}. */
    private Command parseWords(String[] tok, String echo, int line, Where where) {
        if (where != Where.MAIN && !(where == Where.CPU1 ? CPU1_OK : CHILD_OK).contains(tok[0])) {
            throw error(line, where == Where.CPU1 ? "command not taken by on 1" : "command not taken by child");
        }
        Region region = null;
        long start = 0;
        long len = 0;
        int mmapIndex = -1;
        switch (tok[0]) {
            case "format" -> {
                if (tok.length != 2 || !tok[1].equals("2")) throw error(line, "format 2");
                if (!commands.isEmpty()) throw error(line, "format 2 must be the first command line");
                v2 = true;
            }
            case "on" -> {
                if (!v2) throw error(line, "unknown command");
                if (where != Where.MAIN) throw error(line, "nested on");
                if (tok.length < 3 || !tok[1].equals("1")) throw error(line, "on 1 CMD ARGS");
                return parseWords(java.util.Arrays.copyOfRange(tok, 2, tok.length), echo, line, Where.CPU1);
            }
            case "child" -> {
                if (!v2) throw error(line, "unknown command");
                if (where != Where.MAIN) throw error(line, "child inside on");
                if (tok.length < 2) throw error(line, "child CMD ARGS");
                if (!childAlive) throw error(line, "child with no child");
                return parseWords(java.util.Arrays.copyOfRange(tok, 1, tok.length), echo, line, Where.CHILD);
            }
            case "mmap" -> {
                if (tok.length < 5 || tok.length > 7) throw error(line, "mmap R N KIND PROT [populate] [locked]");
                if (seenMunmap && !v2) throw error(line, "mmap after munmap");
                if (regions.containsKey(tok[1])) throw error(line, "region mapped twice");
                if (tok[1].length() >= MAX_NAME || regions.size() == MAX_REGIONS) {
                    throw error(line, "region name too long or too many regions");
                }
                long n = num(tok[2], line);
                if (n == 0 || n > MAX_PAGES) throw error(line, "bad number");
                String kind = tok[3];
                Region source = null;
                if (v2 && (kind.startsWith("file@") || kind.startsWith("file-private@"))) {
                    source = regions.get(kind.substring(kind.indexOf('@') + 1));
                    if (source == null || !(source.kind().equals("file") || source.kind().equals("file-private"))) {
                        throw error(line, "file@S names no file or file-private region");
                    }
                    if (n > source.pages()) throw error(line, "file@S asks for more pages than S's file has");
                    kind = kind.substring(0, kind.indexOf('@')) + "@";
                } else if (!List.of("anon", "shmem", "file", "file-private").contains(kind)) {
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
                region = new Region(tok[1], regions.size(), n, kind, source);
                regions.put(tok[1], region);
                len = n;
                mmapIndex = nmmaps++;
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
                if (!List.of("dontneed", "cold", "pageout", "willneed").contains(tok[4])
                        && !(v2 && V2_ADVICES.contains(tok[4]))) {
                    throw error(line, "unknown advice");
                }
            }
            case "drain" -> {
                if (tok.length != 1) throw error(line, "drain takes no argument");
            }
            case "check" -> {
                if (tok.length != 1) throw error(line, "check takes no argument");
            }
            case "thp" -> {
                if (!v2) throw error(line, "unknown command");
                if (tok.length != 2) throw error(line, "thp SIZE|off");
                if (!tok[1].equals("off")) {
                    long size;
                    try {
                        size = num(tok[1], line);
                    } catch (ScriptException e) {
                        size = 0;
                    }
                    if (size == 0) throw error(line, "thp SIZE: a size in KiB or off");
                }
            }
            case "move" -> {
                if (!v2) throw error(line, "unknown command");
                if (tok.length != 5) throw error(line, "move R START LEN NODE");
                region = range(tok, line);
                try {
                    num(tok[4], line);
                } catch (ScriptException e) {
                    throw error(line, "bad node");
                }
            }
            case "pin", "unpin" -> {
                if (!v2) throw error(line, "unknown command");
                if (tok.length != 4) throw error(line, tok[0] + " R START LEN");
                region = range(tok, line);
                String key = tok[1] + " " + num(tok[2], line) + " " + num(tok[3], line);
                if (tok[0].equals("pin")) {
                    livePins.add(key);
                } else if (!livePins.remove(key)) {
                    throw error(line, "unpin of a range with no live pin");
                }
            }
            case "fork" -> {
                if (!v2) throw error(line, "unknown command");
                if (tok.length != 1) throw error(line, "fork takes no argument");
                if (childAlive) throw error(line, "fork while a child exists");
                childAlive = true;
            }
            case "exit" -> {
                if (!v2) throw error(line, "unknown command");
                if (tok.length != 1) throw error(line, "exit takes no argument");
                if (!childAlive) throw error(line, "exit with no child");
                childAlive = false;
            }
            case "limit" -> {
                if (!v2) throw error(line, "unknown command");
                if (tok.length != 3 || !tok[1].equals("memlock")) throw error(line, "limit memlock PAGES");
                try {
                    num(tok[2], line);
                } catch (ScriptException e) {
                    throw error(line, "limit memlock PAGES");
                }
            }
            case "nocap" -> {
                if (!v2) throw error(line, "unknown command");
                if (tok.length != 2 || !tok[1].equals("ipc_lock")) throw error(line, "nocap ipc_lock");
            }
            default -> throw error(line, "unknown command");
        }
        if (region != null && !tok[0].equals("mmap")) {
            start = num(tok[2], line);
            len = num(tok[3], line);
        }
        return new Command(line, tok, echo, region, start, len, where, mmapIndex);
    }

    /**
     * parse_range(): an existing region and a page range inside its original size. LEN may be 0 (a legal
     * system-call length, passed through); START must still name a page of the region.
     */
    private Region range(String[] tok, int line) {
        Region r = regions.get(tok[1]);
        if (r == null) throw error(line, "unknown region");
        long start = num(tok[2], line);
        long len = num(tok[3], line);
        if (start >= r.pages() || len > r.pages() - start) throw error(line, "page outside region");
        return r;
    }
}
