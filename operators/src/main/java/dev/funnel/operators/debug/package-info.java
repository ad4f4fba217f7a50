/** Operators for testing degradation and load: {@code debug.delay}. */
package dev.funnel.operators.debug;
