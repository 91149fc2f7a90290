/**
 * The inbound pipeline as a jakarta servlet filter: {@link io.inmesh.servlet.MeshServlet#filter(io.inmesh.Mesh)}.
 */
@NullMarked
package io.inmesh.servlet;

import org.jspecify.annotations.NullMarked;
