package io.inmesh.config;

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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration from YAML files and directories, watched for changes.
 *
 * <p>Watches the directory of each file (not the file: editors save by writing a temporary file and renaming it over
 * the original, and Kubernetes swaps a ConfigMap's {@code ..data} symlink; both replace the inode a file watch would
 * hold). Events are debounced for {@code quietPeriod} so that a burst of writes is read once. Because some file
 * systems (network mounts, some container overlays) deliver no events, the files' sizes and modification times are
 * also polled every {@code pollInterval}.
 */
public final class FileConfigSource implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(FileConfigSource.class);

  private final List<Path> paths;
  private final ConfigLoader loader;
  private final Duration quietPeriod;
  private final Duration pollInterval;
  private final Object lock = new Object();
  private @Nullable Thread thread;
  private @Nullable WatchService watchService;
  private volatile boolean closed;

  private FileConfigSource(List<Path> paths, ConfigLoader loader, Duration quietPeriod, Duration pollInterval) {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("no configuration paths");
    }
    this.paths = paths.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    this.loader = loader;
    this.quietPeriod = quietPeriod;
    this.pollInterval = pollInterval;
  }

  /** A source for files and directories with the default quiet period (100 ms) and poll interval (5 s). */
  public static FileConfigSource of(List<Path> paths) {
    return builder(paths).build();
  }

  public static Builder builder(List<Path> paths) {
    return new Builder(paths);
  }

  /** Options of a {@link FileConfigSource}. */
  public static final class Builder {
    private final List<Path> paths;
    private ConfigLoader loader = ConfigLoader.create();
    private Duration quietPeriod = Duration.ofMillis(100);
    private Duration pollInterval = Duration.ofSeconds(5);

    private Builder(List<Path> paths) {
      this.paths = List.copyOf(paths);
    }

    /** The loader used to read files (its size limit applies). */
    public Builder loader(ConfigLoader loader) {
      this.loader = Objects.requireNonNull(loader);
      return this;
    }

    /** How long the files must be quiet after a change before they are read. */
    public Builder quietPeriod(Duration quietPeriod) {
      this.quietPeriod = Objects.requireNonNull(quietPeriod);
      return this;
    }

    /** How often sizes and modification times are compared, for file systems without change events. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Objects.requireNonNull(pollInterval);
      return this;
    }

    public FileConfigSource build() {
      return new FileConfigSource(paths, loader, quietPeriod, pollInterval);
    }
  }

  @Override
  public String description() {
    return paths.stream().map(p -> "file:" + p).collect(Collectors.joining(","));
  }

  /** The watched paths. */
  public List<Path> paths() {
    return paths;
  }

  @Override
  public List<ConfigDocument> read() {
    return loader.read(paths);
  }

  @Override
  public void watch(Listener listener) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (thread != null) {
        throw new IllegalStateException("already watching");
      }
      try {
        WatchService ws = FileSystems.getDefault().newWatchService();
        for (Path dir : watchedDirectories()) {
          dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
        }
        watchService = ws;
      } catch (IOException e) {
        // Keep going on polling alone: a missing watch must not stop the application.
        log.warn("cannot watch {} for changes, polling every {} instead: {}", description(), pollInterval,
            e.toString());
      }
      Thread t = new Thread(() -> loop(listener), "inmesh-config-watch");
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  private Set<Path> watchedDirectories() {
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path p : paths) {
      dirs.add(Files.isDirectory(p) ? p : Objects.requireNonNull(p.getParent(), "parent of " + p));
    }
    return dirs;
  }

  private void loop(Listener listener) {
    String fingerprint = fingerprint();
    while (!closed) {
      try {
        boolean changed = awaitEvent();
        if (closed) {
          return;
        }
        if (changed) {
          drainUntilQuiet();
        }
        String now = fingerprint();
        if (changed || !now.equals(fingerprint)) {
          fingerprint = now;
          deliver(listener);
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("config watch of {} failed; retrying", description(), e);
      }
    }
  }

  /** Waits up to the poll interval for a file event; returns true when one arrived. */
  private boolean awaitEvent() throws InterruptedException {
    WatchService ws = watchService;
    if (ws == null) {
      TimeUnit.NANOSECONDS.sleep(pollInterval.toNanos());
      return false;
    }
    WatchKey key = ws.poll(pollInterval.toNanos(), TimeUnit.NANOSECONDS);
    if (key == null) {
      return false;
    }
    key.pollEvents();
    key.reset();
    return true;
  }

  private void drainUntilQuiet() throws InterruptedException {
    WatchService ws = watchService;
    if (ws == null) {
      return;
    }
    WatchKey key;
    while ((key = ws.poll(quietPeriod.toNanos(), TimeUnit.NANOSECONDS)) != null) {
      key.pollEvents();
      key.reset();
    }
  }

  private void deliver(Listener listener) {
    List<ConfigDocument> docs;
    try {
      docs = read();
    } catch (RuntimeException e) {
      listener.onError(e);
      return;
    }
    listener.onChange(docs);
  }

  /** Sizes and modification times of every config file, to notice changes where no events arrive. */
  private String fingerprint() {
    List<String> parts = new ArrayList<>();
    for (Path p : paths) {
      try {
        if (Files.isDirectory(p)) {
          try (var stream = Files.list(p)) {
            stream.sorted().forEach(f -> parts.add(stamp(f)));
          }
        } else {
          parts.add(stamp(p));
        }
      } catch (IOException | RuntimeException e) {
        parts.add(p + ":unreadable");
      }
    }
    return String.join("|", parts);
  }

  private static String stamp(Path f) {
    try {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      return f + ":" + a.size() + ":" + a.lastModifiedTime().toMillis() + ":" + a.fileKey();
    } catch (IOException e) {
      return f + ":missing";
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
      WatchService ws = watchService;
      if (ws != null) {
        try {
          ws.close();
        } catch (IOException e) {
          log.debug("closing watch service", e);
        }
      }
    }
    Threads.stop(t);
  }

  @Override
  public String toString() {
    return description();
  }
}
