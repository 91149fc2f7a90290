package io.inmesh.tls.internal;

import io.inmesh.internal.Threads;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when any of a few files changes, as {@link io.inmesh.config.FileConfigSource} watches config: the parent
 * directories are watched (writers rename temporary files over the target and Kubernetes swaps a {@code ..data}
 * symlink, both of which a watch on the file would miss), events are debounced for a quiet period, and sizes,
 * modification times and file keys are also polled for file systems that deliver no events.
 */
final class FileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

  private final List<Path> files;
  private final Duration quietPeriod;
  private final Duration pollInterval;
  private final Runnable onChange;
  private final @Nullable WatchService watchService;
  private final Thread thread;
  private volatile boolean closed;

  FileWatcher(List<Path> files, Duration quietPeriod, Duration pollInterval, Runnable onChange, String name) {
    this.files = List.copyOf(files);
    this.quietPeriod = quietPeriod;
    this.pollInterval = pollInterval;
    this.onChange = onChange;
    this.watchService = register();
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  private @Nullable WatchService register() {
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path f : files) {
      dirs.add(Objects.requireNonNull(f.getParent(), "parent of " + f));
    }
    try {
      WatchService ws = FileSystems.getDefault().newWatchService();
      for (Path d : dirs) {
        d.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
      return ws;
    } catch (IOException e) {
      log.warn("cannot watch {} for changes, polling every {} instead: {}", dirs, pollInterval, e.toString());
      return null;
    }
  }

  private void loop() {
    String seen = fingerprint();
    while (!closed) {
      try {
        boolean event = await(pollInterval);
        if (event) {
          while (await(quietPeriod)) {
            // drain the burst: a writer replacing three files sends several events
          }
        }
        String now = fingerprint();
        if (!closed && (event || !now.equals(seen))) {
          seen = now;
          onChange.run();
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("watching {} failed; retrying", files, e);
      }
    }
  }

  private boolean await(Duration timeout) throws InterruptedException {
    if (watchService == null) {
      TimeUnit.NANOSECONDS.sleep(timeout.toNanos());
      return false;
    }
    WatchKey key = watchService.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (key == null) {
      return false;
    }
    key.pollEvents();
    key.reset();
    return true;
  }

  private String fingerprint() {
    StringBuilder sb = new StringBuilder();
    for (Path f : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        sb.append(a.size()).append(':').append(a.lastModifiedTime().toMillis()).append(':').append(a.fileKey());
      } catch (IOException e) {
        sb.append("missing");
      }
      sb.append('|');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    closed = true;
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        log.debug("closing watch service", e);
      }
    }
    Threads.stop(thread);
  }
}
