/**
 * Hot reload of {@code dag-configs/}: a {@link dev.funnel.server.reload.DirectoryWatcher} polls the
 * directory with content hashes and a debounce, compiles each changed file on its own (one bad
 * file never blocks the others), hands what compiled to a {@link dev.funnel.server.reload.ReloadSink}
 * that swaps it atomically, and keeps the last good version live when a file fails, recording the
 * file:line problems in a {@link dev.funnel.server.reload.ReloadLog} (admin API, console, metrics).
 */
package dev.funnel.server.reload;
