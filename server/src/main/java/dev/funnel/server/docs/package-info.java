/** The DAG YAML reference, generated from the operators' declared schemas ({@code funnel docs}). */
package dev.funnel.server.docs;
