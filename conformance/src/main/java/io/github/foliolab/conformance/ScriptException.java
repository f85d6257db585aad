package io.github.foliolab.conformance;

/** A conformance script error, reported as FILE:LINE: message like the real runner's "script error". */
public final class ScriptException extends RuntimeException {
    private final String file;
    private final int line;

    public ScriptException(String file, int line, String message) {
        super(file + ":" + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
