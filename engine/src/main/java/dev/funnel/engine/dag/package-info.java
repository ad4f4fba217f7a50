/**
 * DAG specs as records, YAML loading that keeps line numbers, static validation against the
 * operators' declared schemas, and compilation into an executable {@link dev.funnel.engine.dag.CompiledDag}.
 */
package dev.funnel.engine.dag;
