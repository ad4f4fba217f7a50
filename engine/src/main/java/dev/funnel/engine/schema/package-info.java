/**
 * JSON Schema (draft 2020-12) for DAG and routing YAML, generated from the operators' declared
 * {@link dev.funnel.engine.spi.ParamSchema}s so that it cannot drift from what the validator
 * accepts. Editors' YAML language servers use it for completion and inline errors; the server
 * serves it at {@code /admin/schema}; a build step writes it to {@code dag-configs/schema/}.
 */
package dev.funnel.engine.schema;
