/** The {@code mesh} command-line tool: one picocli subcommand per class, wired in {@link io.inmesh.cli.MeshCommand}. */
@NullMarked
package io.inmesh.cli;

import org.jspecify.annotations.NullMarked;
