/**
 * The HTTP/2 ceiling: a raw Vert.x server that answers every request with one fixed body, no
 * routing, no JSON, no engine. Funnel's own HTTP path (with a trivial DAG) is measured against it
 * with {@code h2load} by {@code bench/scripts/ceiling.sh}; the ratio says what the server and engine
 * cost on top of Vert.x itself.
 */
package dev.funnel.bench.ceiling;
