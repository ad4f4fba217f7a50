/** Test fixtures for operator tests: a map-backed item store, a direct loop, parameter defaults. */
package dev.funnel.operators.testing;
