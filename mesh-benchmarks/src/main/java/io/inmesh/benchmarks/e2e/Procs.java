package io.inmesh.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time and resident memory of processes, from {@code /proc}: what every process of a variant costs, proxies
 * included, measured the same way for a JVM and for an nginx worker.
 */
final class Procs {
  /** Clock ticks per second of utime/stime in /proc/PID/stat; 100 on every Linux the harness runs on. */
  static final double TICKS_PER_SECOND = ticksPerSecond();

  private Procs() {}

  /** utime + stime of {@code pid}, in clock ticks (0 when the process is gone). */
  static long cpuTicks(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return 0;
    }
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
  }

  /** VmRSS of {@code pid} in KiB (0 when the process is gone). */
  static long rssKib(long pid) {
    return statusKib(pid, "VmRSS:");
  }

  /**
   * RssFile of {@code pid} in KiB: the resident pages of mapped files (the JDK's modules image, jars, shared
   * libraries), which are clean, shared between processes and reclaimable, unlike RssAnon (heap, metaspace, code,
   * stacks).
   */
  static long rssFileKib(long pid) {
    return statusKib(pid, "RssFile:");
  }

  private static long statusKib(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  /**
   * CPU ticks and context switches (voluntary + involuntary) per thread name of {@code pid}, digits in names replaced
   * by {@code N} so that pool threads add up ({@code qtpN-N}, {@code open-loop-N}); key {@code "*switches"} holds the
   * process's total context switches.
   */
  static Map<String, Long> threads(long pid) {
    Map<String, Long> out = new TreeMap<>();
    long switches = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "N");
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
              switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException | RuntimeException gone) {
          // the thread ended while we read it
        }
      }
    } catch (IOException e) {
      return out;
    }
    out.put("*switches", switches);
    return out;
  }

  /** {@code pid} and its children (an nginx master and its workers). */
  static List<Long> withChildren(long pid) {
    List<Long> out = new ArrayList<>();
    out.add(pid);
    ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(c -> out.add(c.pid())));
    return out;
  }

  /** Total ticks of {@code pids}. */
  static long cpuTicks(List<Long> pids) {
    long sum = 0;
    for (long p : pids) {
      sum += cpuTicks(p);
    }
    return sum;
  }

  private static double ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Double.parseDouble(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
