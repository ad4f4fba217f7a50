/**
 * The multi-host transport: each topic is a single-partition Kafka topic (order is total, positions
 * are offsets), named tailers are consumer groups with manually committed offsets.
 */
package dev.funnel.streams.kafka;
