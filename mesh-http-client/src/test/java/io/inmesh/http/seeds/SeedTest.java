package io.inmesh.http.seeds;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The seed tests' common frame: a temporary directory and what each test made in it, closed after the test. */
abstract class SeedTest {
  @TempDir Path dir;
  SeedMeshes seeds;

  @BeforeEach
  final void openSeeds() {
    seeds = new SeedMeshes(dir);
  }

  @AfterEach
  final void closeSeeds() throws Exception {
    seeds.close();
  }
}
