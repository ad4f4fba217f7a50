/**
 * Hot reload of {@code dag-configs/}: a {@link dev.funnel.server.reload.DirectoryWatcher} polls the
 * directory with content hashes and a debounce, applies the files that changed together as one
 * change set whatever their order (together and atomically when they are valid together, else one
 * by one in whatever order works), hands them to a {@link dev.funnel.server.reload.ReloadSink} that
 * swaps them atomically, and keeps the last good version live when a file fails, recording the
 * file:line problems in a {@link dev.funnel.server.reload.ReloadLog} (admin API, console, metrics)
 * and retrying it whenever what is live changes.
 */
package dev.funnel.server.reload;
