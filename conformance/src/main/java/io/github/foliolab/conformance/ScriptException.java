package io.github.foliolab.conformance;

/** A conformance script error, reported as FILE:LINE: message like the real runner's "script error". */
public final class ScriptException extends RuntimeException {
    /** The script's file name. */
    private final String file;
    /** The 1-based line of the refused command. */
    private final int line;

    /**
     * A script error at {@code file:line}.
     *
     * @param file the script's file name
     * @param line the 1-based line of the refused command
     * @param message what the real runner says about it
     */
    public ScriptException(String file, int line, String message) {
        super(file + ":" + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    /** {@return the script's file name} */
    public String file() {
        return file;
    }

    /** {@return the 1-based line of the refused command} */
    public int line() {
        return line;
    }
}
