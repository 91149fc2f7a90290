package io.inmesh.samples.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code mesh demo}'s entry point, run by the CLI in a JVM of its own with this module's class path (see
 * {@code io.inmesh.cli.DemoCommand}). Exit codes: 0 done, 1 the demo could not start (the message says why), 2 usage.
 *
 * <p>With {@code --json}, stdout carries the summary and nothing else: {@code System.out} is pointed at stderr for
 * the whole run, so no library can print there by accident. Logs go to {@code <state-dir>/demo.log}.
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    PrintStream stdout = System.out;
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("mesh demo: " + e.getMessage());
      return 2;
    }
    Path logFile = options.stateDir().resolve("demo.log");
    try {
      Files.createDirectories(options.stateDir());
    } catch (IOException e) {
      System.err.println("mesh demo: cannot create " + options.stateDir() + ": " + e);
      return 1;
    }
    // Before the first logger exists: slf4j-simple reads these once.
    System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toString());
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    // The Spring Boot instance must not reconfigure logging for the whole JVM (nor look for Logback).
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    SLF4JBridgeHandler.removeHandlersForRootLogger(); // java.util.logging (Tomcat) to the log file, not the console
    SLF4JBridgeHandler.install();
    PrintStream console = options.json() ? System.err : stdout;
    if (options.json()) {
      System.setOut(System.err);
    }

    long t0 = System.nanoTime();
    Demo demo;
    try {
      demo = Demo.start(options);
    } catch (Demo.DemoException e) {
      System.err.println("mesh demo: " + e.getMessage() + " (log: " + logFile + ")");
      return 1;
    }
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      demo.stop();
      try {
        closed.await(15, TimeUnit.SECONDS); // let run() print the summary and close everything
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Banner.print(console, demo, options, logFile, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      boolean terminal = !options.json() && System.console() != null;
      DemoSummary summary = demo.run(options.json() ? null : stdout, terminal);
      if (options.json()) {
        stdout.println(summary.toJson());
        stdout.flush();
      } else {
        Banner.summary(console, summary);
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      demo.close();
      closed.countDown();
    }
  }
}
