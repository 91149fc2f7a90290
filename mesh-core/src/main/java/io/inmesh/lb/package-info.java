/**
 * Load balancing: the built-in LOAD_BALANCER stage ({@link io.inmesh.lb.LoadBalancing}) picks an endpoint of the
 * destination service for every attempt. Algorithms (round robin, random, least request, peak EWMA, ring hash) sit
 * behind one small package-private interface, {@code Picker}: an immutable picker is built for each endpoint set,
 * health state and policy, and a pick never returns null. Health and ejection, locality, panic mode and slow start are
 * applied around the algorithms, so every algorithm gets them. Per-endpoint state ({@link
 * io.inmesh.lb.EndpointState}: in-flight requests, latency EWMA, ejection) survives config reloads and endpoint-set
 * changes for endpoints that remain.
 */
@NullMarked
package io.inmesh.lb;

import org.jspecify.annotations.NullMarked;
