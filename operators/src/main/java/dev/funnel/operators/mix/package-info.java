/**
 * Mix operators: combine a ranked list with items from another branch at fixed slots
 * ({@code mix.insert}: operations, ads).
 */
package dev.funnel.operators.mix;
