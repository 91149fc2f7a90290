package io.inmesh.cli;

import io.inmesh.config.internal.Durations;
import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.WorkloadCertificate;
import io.inmesh.tls.internal.DevCa;
import io.inmesh.tls.internal.Pem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh cert issue --ca DIR --spiffe-id ID --out PREFIX [--ttl 24h]}: workload certificates as PEM files. */
@Command(
    name = "cert",
    description = "Workload certificates from the development CA, as PEM files for other tools and tests.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {CertCommand.Issue.class})
final class CertCommand extends CommandGroup {

  /** {@code mesh cert issue}. */
  @Command(
      name = "issue",
      description = {
        "Issues a certificate for a SPIFFE ID and writes PREFIX-chain.pem (the certificate chain), PREFIX-key.pem"
            + " (its private key, mode 0600) and PREFIX-bundle.pem (the CA certificate to trust): the files"
            + " mesh.identity.pemFiles reads."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:issued", "1:no CA in the --ca directory, or the files cannot be written",
          "2:usage error (such as a malformed SPIFFE ID or TTL)"})
  static final class Issue implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA directory (mesh ca init).")
    Path ca;

    @Option(names = "--spiffe-id", required = true, paramLabel = "ID", converter = SpiffeIdConverter.class,
        description = "The identity, such as spiffe://cluster.local/ns/shop/sa/catalog.")
    SpiffeId spiffeId;

    @Option(names = "--out", required = true, paramLabel = "PREFIX",
        description = "Path prefix of the files written, such as certs/catalog.")
    String out;

    @Option(names = "--ttl", defaultValue = "24h", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Lifetime of the certificate (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      DevCa authority;
      try {
        authority = DevCa.load(ca);
      } catch (IOException e) {
        err.println("mesh cert issue: " + e.getMessage());
        return ExitCodes.INVALID;
      }
      WorkloadCertificate wc = authority.issue(spiffeId, Instant.now(), ttl);
      Path chain = Path.of(out + "-chain.pem");
      Path key = Path.of(out + "-key.pem");
      Path bundle = Path.of(out + "-bundle.pem");
      try {
        Pem.writeCertificates(chain, wc.chain());
        Pem.writePrivateKey(key, wc.privateKey());
        Pem.writeCertificates(bundle, wc.trustBundle());
      } catch (IOException e) {
        err.println("mesh cert issue: cannot write " + out + "-*.pem: " + e);
        return ExitCodes.INVALID;
      }
      spec.commandLine().getOut().println("issued " + wc.spiffeId() + " (serial " + wc.serial() + ", valid until "
          + wc.notAfter() + "): " + chain + ", " + key + " (mode 0600), " + bundle);
      return ExitCodes.OK;
    }
  }

  /** Parses {@code spiffe://...}; picocli reports a failure as a usage error naming the option. */
  static final class SpiffeIdConverter implements ITypeConverter<SpiffeId> {
    @Override
    public SpiffeId convert(String value) {
      return SpiffeId.parse(value);
    }
  }

  /** Parses durations as the configuration does ({@code 250ms}, {@code 24h}); at least one second. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = Durations.parse(value);
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(value + " (expected: at least 1s)");
      }
      return d;
    }
  }
}
