package dev.funnel.server.reload;

import dev.funnel.engine.dag.DagException;

/**
 * Turns one configuration file's text into something live (a compiled DAG, a route table), or
 * says with file:line problems why it cannot. Called on the watcher's thread, off every request
 * path; may take milliseconds.
 *
 * @param <T> what a file compiles to
 */
@FunctionalInterface
public interface ConfigCompiler<T> {

    /**
     * @param fileName the file as it should appear in problems (e.g. {@code dag-configs/home_feed.yaml})
     * @param text     its content
     * @throws DagException with every problem found
     */
    T compile(String fileName, String text) throws DagException;
}
