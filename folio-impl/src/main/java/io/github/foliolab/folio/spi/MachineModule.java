package io.github.foliolab.folio.spi;

import io.github.foliolab.folio.Machine;

import java.util.Set;

/**
 * A module that attaches to every machine as it is built: the library's lru, mm and mlock modules, and
 * a user's own. Installed modules are found with {@link java.util.ServiceLoader} (a {@code provides}
 * clause in the module's module-info, or a {@code META-INF/services} entry on the class path) and
 * attached by {@link Machine.Builder#build()} in dependency order, each exactly once per machine.
 *
 * <p>In {@link #attach} a module creates its per-machine state ({@link Machine.Assembly#put}), takes the
 * links through which it calls up into higher modules ({@link Machine.Assembly#link}), provides the
 * upward calls lower modules declared ({@link Machine.Assembly#provide}), and registers what
 * {@link Machine#close()} must stop ({@link Machine.Assembly#onClose}).
 */
public interface MachineModule {
    /**
     * A short unique name ({@code "lru"}, {@code "mm"}, {@code "mlock"}).
     *
     * @return the module's name, unique among the installed modules
     */
    String name();

    /**
     * The names of the modules that must attach before this one (the modules it calls down into).
     *
     * @return the names of the modules this one must attach after; empty by default
     */
    default Set<String> after() {
        return Set.of();
    }

    /**
     * Attach to the machine being built.
     *
     * @param assembly the machine being built, with its options, state and links
     */
    void attach(Machine.Assembly assembly);
}
