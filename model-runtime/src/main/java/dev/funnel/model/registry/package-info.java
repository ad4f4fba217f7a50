/**
 * The model registry: named models with versions, loads off the event loop, signature checks and
 * warm-up before a version goes live, atomic swaps with reference-counted sessions, and rollback.
 */
package dev.funnel.model.registry;
