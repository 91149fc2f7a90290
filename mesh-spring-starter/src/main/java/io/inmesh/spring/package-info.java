/**
 * Spring Boot auto-configuration for InMesh: the {@link io.inmesh.Mesh} bean from {@code mesh.*} properties
 * ({@link io.inmesh.spring.MeshProperties}), the inbound servlet filter, the embedded server's mTLS from the mesh
 * identity, {@link io.inmesh.spring.MeshClient @MeshClient} injection of meshed HTTP clients, and the actuator's
 * {@code /actuator/mesh} endpoint and health indicator. Wiring only: the behaviour is the mesh's.
 */
@NullMarked
package io.inmesh.spring;

import org.jspecify.annotations.NullMarked;
