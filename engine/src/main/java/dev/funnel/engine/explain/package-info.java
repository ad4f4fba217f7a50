/**
 * explain / replay: runs one request against a chosen DAG (live or candidate, with parameter
 * overrides) with the trace on, and turns the trace into a per-node account — timings, candidate
 * counts in and out, which items each stage dropped and why, each final item's provenance and
 * path — and compares two DAGs on the same request side by side. Used by the server's admin
 * endpoint and the {@code funnel explain} command; off the request path.
 */
package dev.funnel.engine.explain;
