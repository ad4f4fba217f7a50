package dev.funnel.server.reload;

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
     * @throws RuntimeException when the holder refuses it (e.g. a route names a DAG that is not
     *                          live); the watcher records it as that file's error and keeps the
     *                          previous version
     */
    void swap(Path file, T compiled);

    /** The file was deleted. The sink decides whether to unload what it served. */
    default void removed(Path file) {
    }
}
