/**
 * In-process parameter-server tables: {@link dev.funnel.model.embedding.EmbeddingTable} maps a
 * feature id to a float vector with lock-free reads, one writer, bounded memory, TTL expiry,
 * frequency admission, default vectors, snapshot and restore.
 */
package dev.funnel.model.embedding;
