/** Operators that combine the candidate lists of several branches: {@code merge}. */
package dev.funnel.operators.merge;
