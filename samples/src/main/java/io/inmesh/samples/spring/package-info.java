/**
 * The demo's Spring Boot service: {@code api-service} v2, meshed by {@code mesh-spring-starter} alone (properties, an
 * annotated client; no mesh code in the application).
 */
@NullMarked
package io.inmesh.samples.spring;

import org.jspecify.annotations.NullMarked;
