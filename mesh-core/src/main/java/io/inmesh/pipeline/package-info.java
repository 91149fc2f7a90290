/**
 * The transport-neutral request model and the two pipelines (outbound, inbound) composed of stages at named roles.
 */
@NullMarked
package io.inmesh.pipeline;

import org.jspecify.annotations.NullMarked;
