package io.github.foliolab.explore;

import io.github.foliolab.explore.scenarios.DrainAll;
import io.github.foliolab.explore.scenarios.LockOrder;
import io.github.foliolab.explore.scenarios.LostActivation;
import io.github.foliolab.explore.scenarios.MlockLruAdd;
import io.github.foliolab.explore.scenarios.MunlockPutback;
import io.github.foliolab.explore.scenarios.LruTicket;
import io.github.foliolab.explore.scenarios.RefcountGet;

import java.util.ArrayList;
import java.util.List;

/** The registered scenarios, in the order {@code races} runs them. */
public final class Races {
    private Races() {}

    public static List<Scenario> all() {
        List<Scenario> l = new ArrayList<>();
        l.add(new MunlockPutback());
        l.add(new MlockLruAdd());
        l.add(new LostActivation());
        l.add(new DrainAll());
        l.add(new LockOrder());
        l.add(new RefcountGet());
        l.add(new LruTicket());
        return l;
    }

    /**
     * {@return the scenario with this name, or null}
     *
     * @param name the name
     */
    public static Scenario byName(String name) {
        for (Scenario s : all()) {
            if (s.name().equals(name)) return s;
        }
        return null;
    }
}
