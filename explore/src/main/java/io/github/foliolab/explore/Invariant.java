package io.github.foliolab.explore;

/**
 * A property of the simulated kernel state that must hold after every step (where {@link View} says
 * it applies). Checks read state without schedule points (raw accessors), or the explorer's guard lets
 * their schedule points pass untouched.
 */
public interface Invariant {
    /**
     * A short name printed with a violation, e.g. {@code lru-flag-listed}.
     *
     * @return the invariant's name
     */
    String name();

    /**
     * {@return what is wrong, or null if the invariant holds}
     *
     * @param world the schedule's world
     * @param view what the explorer knows of the CPUs at this point (held locks, the check round)
     */
    String check(World world, View view);

    /**
     * {@return an invariant from a name and a check}
     *
     * @param name the invariant's name
     * @param check the check, returning what is wrong or null
     */
    static Invariant of(String name, java.util.function.BiFunction<World, View, String> check) {
        return new Invariant() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String check(World world, View view) {
                return check.apply(world, view);
            }
        };
    }
}
