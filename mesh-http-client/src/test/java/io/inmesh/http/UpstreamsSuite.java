package io.inmesh.http;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test class sharing one set of {@link Upstreams} (servers started once); each test gets a fresh journal. */
abstract class UpstreamsSuite {
  static Upstreams upstreams;
  @TempDir Path dir;

  @BeforeAll
  static void startUpstreams() {
    upstreams = new Upstreams();
  }

  @BeforeEach
  void forgetRequests() {
    upstreams.resetRequests();
  }

  @AfterEach
  void closeMeshes() {
    upstreams.closeMeshes();
  }

  @AfterAll
  static void stopUpstreams() {
    upstreams.close();
  }
}
