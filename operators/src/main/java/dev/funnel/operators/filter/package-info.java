/**
 * Filter operators: drop candidates the user must not see again ({@code filter.exposure}) or that
 * fail attribute rules ({@code filter.attr}). A filter keeps order, scores and provenance.
 */
package dev.funnel.operators.filter;
