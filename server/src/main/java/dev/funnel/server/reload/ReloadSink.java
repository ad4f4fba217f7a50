package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagException;

import java.nio.file.Path;

/**
 * Receives what the watcher compiled; the server's DAG/route holder implements it. Called on the
 * watcher's thread only, one file at a time.
 *
 * @param <T> what a file compiles to
 */
public interface ReloadSink<T> {

    /**
     * Makes {@code compiled} the live version for {@code file}, atomically: requests that already
     * started keep the version they read; requests that start after this returns see the new one.
     *
     * @throws DagException when the holder refuses it with file:line problems (e.g. a route
     *                      overrides a node the new DAG no longer has); the watcher records them as
     *                      that file's error and the previous version keeps serving
     */
    void swap(Path file, T compiled) throws DagException;

    /** The file was deleted. The sink decides whether to unload what it served. */
    default void removed(Path file) {
    }
}
