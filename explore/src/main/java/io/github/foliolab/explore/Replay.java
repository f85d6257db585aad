package io.github.foliolab.explore;

/** Runs one given schedule (see {@link Schedule}); decisions past its end take the default. */
public final class Replay implements Strategy {
    private final String schedule;
    private final int[] choices;
    private boolean done;
    private int decisionsMade;
    private boolean mismatched;

    /**
     * A strategy that runs {@code schedule} once.
     *
     * @param schedule the schedule string, as a result prints it
     */
    public Replay(String schedule) {
        this.schedule = schedule;
        this.choices = Schedule.decode(schedule);
    }

    @Override
    public boolean nextSchedule() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    @Override
    public int choose(Decision d) {
        decisionsMade = Math.max(decisionsMade, d.index() + 1);
        if (d.index() >= choices.length) {
            return d.defaultChoice();
        }
        int c = choices[d.index()];
        if (!d.isEnabled(c)) {
            mismatched = true;
            throw new ScheduleMismatchException("schedule " + schedule + " does not fit: at decision " + d.index()
                    + " it names CPU " + Trace.cpuName(c) + ", but only "
                    + java.util.Arrays.stream(d.enabled()).mapToObj(Trace::cpuName).toList() + " can run");
        }
        return c;
    }

    /** A schedule naming more decisions than the run made was not made for this run: an error, not ignored. */
    @Override
    public void scheduleDone(int steps) {
        if (!mismatched && decisionsMade < choices.length) {
            throw new ScheduleMismatchException("schedule " + schedule + " names " + choices.length + " decisions, but the run"
                    + " made only " + decisionsMade + ": it is longer than the run (not made for this scenario and variant)");
        }
    }

    /** How {@link #describe()} begins: a result's strategy starting with it is a replay's. */
    static final String DESCRIPTION = "replay of schedule ";

    @Override
    public String describe() {
        return DESCRIPTION + schedule;
    }

    /** The schedule names a CPU that cannot run at some decision: it was not made for this scenario. */
    public static final class ScheduleMismatchException extends RuntimeException {
        /**
         * A mismatch described by {@code message}.
         *
         * @param message which decision and CPU did not fit
         */
        public ScheduleMismatchException(String message) {
            super(message);
        }
    }
}
