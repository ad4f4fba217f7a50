package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagException;

import java.nio.file.Path;
import java.util.Map;

/**
 * Receives what the watcher compiled; the server's DAG/route holder implements it. Called on the
 * watcher's thread only.
 *
 * @param <T> what a file compiles to
 */
public interface ReloadSink<T> {

    /**
     * Makes the compiled version of every given file live together, atomically, or none of them:
     * requests that already started keep the version they read; requests that start after this
     * returns see all the new ones. The watcher passes one file, or several that changed together
     * and may only be valid together (a new DAG and the route that names it).
     *
     * @throws DagException when the holder refuses them with file:line problems (e.g. a route
     *                      overrides a node the new DAG no longer has); what was live stays live
     */
    void swap(Map<Path, T> compiled) throws DagException;

    /** The file was deleted. The sink decides whether to unload what it served. */
    default void removed(Path file) {
    }

    /**
     * What is live now, compared by identity: it must change whenever what is live changes, by this
     * watcher or by another route (an admin API swap), so that the watcher retries a file that was
     * refused against an older state. Null when only this watcher changes what is live.
     */
    default Object liveState() {
        return null;
    }
}
