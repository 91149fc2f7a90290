package io.inmesh.cli;

import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigProblem;
import io.inmesh.config.LoadedConfig;
import io.inmesh.discovery.Endpoint;
import io.inmesh.etcd.EtcdClient;
import io.inmesh.etcd.EtcdConfigSource;
import io.inmesh.etcd.EtcdRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that talk to etcd: {@code config push}, {@code config get}, {@code endpoints}. */
final class EtcdCommands {
  private EtcdCommands() {}

  /** Options shared by the etcd commands. */
  abstract static class EtcdOptions implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();

    @Option(names = "--etcd", required = true, paramLabel = "URL[,URL...]",
        description = "The etcd members' client URLs, e.g. http://127.0.0.1:2379 (failover in order).")
    String etcd = "";

    EtcdClient client() {
      return new EtcdClient(EtcdClient.parseEndpoints(etcd), Duration.ofSeconds(5));
    }

    int unreachable(PrintWriter err, IOException e) {
      err.println(spec.qualifiedName() + ": etcd: " + e.getMessage());
      err.flush();
      return ExitCodes.INVALID;
    }
  }

  /** {@code mesh config push --etcd URL [--key K] FILE...}: validates, then writes the config to etcd. */
  @Command(name = "push", mixinStandardHelpOptions = true,
      description = "Validates the files as one configuration and, only if valid, writes them to etcd under the key"
          + " every instance watches; prints the new etcd revision.")
  static final class Push extends EtcdOptions {
    @Option(names = "--key", description = "The key (default: ${DEFAULT-VALUE}).")
    String key = EtcdConfigSource.DEFAULT_KEY;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The configuration file(s).")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      LoadedConfig loaded;
      try {
        loaded = ConfigLoader.create().load(files);
      } catch (ConfigException e) {
        e.problems().forEach(out::println);
        out.println("REFUSED: " + ConfigSummary.count(e.errors().size(), "error", "errors") + "; nothing was pushed");
        out.flush();
        return ExitCodes.INVALID;
      }
      loaded.warnings().stream().map(ConfigProblem::toString).forEach(out::println);
      String text;
      try {
        List<String> parts = new ArrayList<>();
        for (Path f : files) {
          parts.add(Files.readString(f));
        }
        // One key holds one text: several files become the documents of one YAML stream, which loads the same way.
        text = parts.stream().map(String::strip).collect(Collectors.joining("\n---\n", "", "\n"));
      } catch (IOException e) {
        err.println("mesh config push: " + e.getMessage());
        err.flush();
        return ExitCodes.INVALID;
      }
      try (EtcdClient client = client()) {
        long revision = client.put(key, text, 0);
        out.println("pushed " + ConfigSummary.of(loaded.config()) + " to " + key + " at revision " + revision);
        out.flush();
        return ExitCodes.OK;
      } catch (IOException e) {
        return unreachable(err, e);
      }
    }
  }

  /** {@code mesh config get --etcd URL [--key K]}: prints the config stored in etcd. */
  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Prints the configuration stored in etcd and the revision it was written at.")
  static final class Get extends EtcdOptions {
    @Option(names = "--key", description = "The key (default: ${DEFAULT-VALUE}).")
    String key = EtcdConfigSource.DEFAULT_KEY;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (EtcdClient client = client()) {
        EtcdClient.Range range = client.range(key, false);
        if (range.kvs().isEmpty()) {
          err.println("mesh config get: no configuration under " + key);
          err.flush();
          return ExitCodes.INVALID;
        }
        EtcdClient.KeyValue kv = range.kvs().get(0);
        out.println("# " + key + " @ revision " + kv.modRevision());
        out.print(kv.value());
        out.flush();
        return ExitCodes.OK;
      } catch (IOException e) {
        return unreachable(err, e);
      }
    }
  }

  /** {@code mesh endpoints --etcd URL SERVICE}: the instances registered for a service. */
  @Command(name = "endpoints", mixinStandardHelpOptions = true,
      description = "Lists the instances registered in etcd for a service.")
  static final class Endpoints extends EtcdOptions {
    @Option(names = {"-n", "--namespace"}, description = "The service's namespace (default: ${DEFAULT-VALUE}).")
    String namespace = "default";

    @Option(names = "--prefix", description = "The registry prefix (default: ${DEFAULT-VALUE}).")
    String prefix = EtcdRegistry.DEFAULT_PREFIX;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service name.")
    String service = "";

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (EtcdClient client = client()) {
        List<Endpoint> endpoints = new EtcdRegistry(client, prefix).endpoints(namespace, service);
        Table t = new Table("ADDRESS", "ZONE", "WEIGHT", "LABELS");
        for (Endpoint e : endpoints) {
          t.row(e.address(), e.zone() == null ? "-" : e.zone(), e.weight(), e.labels().isEmpty() ? "-"
              : e.labels().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                  .map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(",")));
        }
        t.print(out);
        out.println(endpoints.size() + (endpoints.size() == 1 ? " endpoint" : " endpoints") + " of " + namespace
            + "/" + service);
        out.flush();
        return ExitCodes.OK;
      } catch (IOException e) {
        return unreachable(spec.commandLine().getErr(), e);
      }
    }
  }
}
