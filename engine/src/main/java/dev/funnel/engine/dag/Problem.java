package dev.funnel.engine.dag;

/**
 * One thing wrong with a configuration file, where it is and why.
 *
 * @param file    the file name as given to the loader (e.g. {@code dag-configs/home_feed.yaml})
 * @param line    1-based line, or 0 when the problem is about the whole file
 * @param message what is wrong, with the bad value
 */
public record Problem(String file, int line, String message) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
