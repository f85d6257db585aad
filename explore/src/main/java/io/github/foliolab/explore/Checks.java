package io.github.foliolab.explore;

import java.util.ArrayList;
import java.util.List;

/** What a scenario's end checks found: violations (bugs) and outcomes classified as accepted behaviour. */
public final class Checks {
    /** Empty: no violation and no accepted outcome recorded yet; the engine makes one per schedule. */
    Checks() {}

    private final List<String> violations = new ArrayList<>();
    private final List<String> accepted = new ArrayList<>();

    /**
     * A bad end state: the schedule is a counterexample.
     *
     * @param name the name
     * @param message the message
     */
    public void violation(String name, String message) {
        violations.add(name + ": " + message);
    }

    /**
     * An end state the kernel reaches by design and accepts (shown, not counted as a bug).
     *
     * @param name the name
     * @param message the message
     */
    public void accepted(String name, String message) {
        accepted.add(name + ": " + message);
    }

    /**
     * {@code violation(name, message)} unless {@code ok}.
     *
     * @param ok true if the check passed
     * @param name the name
     * @param message the message
     */
    public void require(boolean ok, String name, String message) {
        if (!ok) violation(name, message);
    }

    /** {@return the violations recorded, each as "name: message", in the order found} */
    public List<String> violations() {
        return violations;
    }

    /** {@return the accepted outcomes recorded, each as "name: message"} */
    public List<String> accepted() {
        return accepted;
    }

    void clear() {
        violations.clear();
        accepted.clear();
    }
}
