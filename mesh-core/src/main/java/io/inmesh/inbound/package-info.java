/**
 * The inbound security stages every mesh has ({@link io.inmesh.inbound.InboundSecurity}): path normalisation,
 * authorization and local rate limits, in the inbound pipeline's PATH_NORMALIZATION, AUTHORIZATION and RATE_LIMIT
 * roles; and {@link io.inmesh.inbound.InboundExplainer}, which answers "why did this request get this answer?" with
 * the same code.
 *
 * <p>Adapters (the servlet filter) put what the transport knows into the {@link io.inmesh.pipeline.MeshContext}
 * before running the pipeline: the peer principal and address, and the {@link io.inmesh.inbound.InboundAttributes}
 * (local port and address, and the path the application will route on, which the normalisation stage compares with
 * the path it hands to authorization).
 */
@NullMarked
package io.inmesh.inbound;

import org.jspecify.annotations.NullMarked;
