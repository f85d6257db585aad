package io.github.foliolab.explore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registered scenarios: every {@link Scenario} provider {@link ServiceLoader} finds (the library's own
 * in {@code io.github.foliolab.explore.scenarios} and any a user puts on the module or class path). The
 * library's come first, in the order they are declared; users' follow, sorted by name, so that
 * {@code races} prints the same lines whatever the order of the path.
 */
public final class Races {
    private Races() {}

    private static final String OWN_PACKAGE = "io.github.foliolab.explore.scenarios";

    /**
     * The registered scenarios, in the order {@code races} runs them, loaded with the calling thread's
     * context class loader.
     *
     * @return the library's scenarios in their registration order, then the user's sorted by name
     * @throws IllegalStateException if two scenarios have the same name
     */
    public static List<Scenario<?>> all() {
        return all(Thread.currentThread().getContextClassLoader());
    }

    /**
     * The registered scenarios {@code loader} sees (see {@link #all()}).
     *
     * @param loader the class loader whose service files are read
     * @return the library's scenarios in their registration order, then the user's sorted by name
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static List<Scenario<?>> all(ClassLoader loader) {
        List<Scenario<?>> own = new ArrayList<>();
        List<Scenario<?>> users = new ArrayList<>();
        for (Scenario s : ServiceLoader.load(Scenario.class, loader)) {
            (s.getClass().getPackageName().equals(OWN_PACKAGE) ? own : users).add(s);
        }
        users.sort((a, b) -> a.name().compareTo(b.name()));
        List<Scenario<?>> l = new ArrayList<>(own);
        l.addAll(users);
        Map<String, Scenario<?>> seen = new HashMap<>();
        for (Scenario<?> s : l) {
            Scenario<?> other = seen.putIfAbsent(s.name(), s);
            if (other != null) {
                throw new IllegalStateException("two scenarios are named " + s.name() + ": "
                        + other.getClass().getName() + " and " + s.getClass().getName());
            }
        }
        return l;
    }

    /**
     * The registered scenario with this name, or null.
     *
     * @param name the scenario's command-line name
     * @return the scenario, or null when none has that name
     */
    public static Scenario<?> byName(String name) {
        for (Scenario<?> s : all()) {
            if (s.name().equals(name)) return s;
        }
        return null;
    }
}
