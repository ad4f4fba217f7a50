/**
 * The embedded default transport: one Chronicle Queue per topic under a base directory,
 * memory-mapped, microseconds from append to tail, shared by processes on one host. Needs the JVM
 * flags in the root pom's {@code funnel.jvm.flags} on Java 17, and always
 * {@code -Dchronicle.analytics.disable=true}.
 */
package dev.funnel.streams.chronicle;
