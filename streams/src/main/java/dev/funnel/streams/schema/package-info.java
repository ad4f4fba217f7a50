/**
 * Versioned binary schemas of the events on the learning loop's topics: {@link
 * dev.funnel.streams.schema.ImpressionLog}, {@link dev.funnel.streams.schema.Feedback}, {@link
 * dev.funnel.streams.schema.ItemUpdate} and {@link dev.funnel.streams.schema.ModelDelta} (checksummed).
 * Every record starts with a three-byte header: magic, record type, schema version. A reader accepts
 * every version it knows and rejects others with a {@link dev.funnel.streams.schema.SchemaException}.
 */
package dev.funnel.streams.schema;
