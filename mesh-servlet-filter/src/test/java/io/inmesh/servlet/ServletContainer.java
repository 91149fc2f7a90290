package io.inmesh.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** An embedded Tomcat 11 or Jetty 12 on 127.0.0.1 (plaintext) with default settings, filters in order, one servlet. */
interface ServletContainer extends AutoCloseable {
  List<String> NAMES = List.of("tomcat", "jetty");

  /**
   * The same containers configured to let confusing paths through to the application, as some deployments do
   * (Tomcat: {@code encodedSolidusHandling=decode}, backslash allowed; Jetty: {@code UriCompliance.UNSAFE}, ambiguous
   * URIs decoded): the mesh, not the container, must then refuse them.
   */
  List<String> LENIENT = List.of("tomcat-lenient", "jetty-lenient");

  /** The port it listens on. */
  int port();

  @Override
  void close() throws Exception;

  static ServletContainer start(String name, Path baseDir, List<Filter> filters, HttpServlet servlet)
      throws Exception {
    return switch (name) {
      case "tomcat" -> tomcat(baseDir, filters, servlet, false);
      case "jetty" -> jetty(filters, servlet, false);
      case "tomcat-lenient" -> tomcat(baseDir, filters, servlet, true);
      case "jetty-lenient" -> jetty(filters, servlet, true);
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static ServletContainer tomcat(Path baseDir, List<Filter> filters, HttpServlet servlet, boolean lenient)
      throws Exception {
    Tomcat tomcat = new Tomcat();
    Path dir = Files.createTempDirectory(baseDir, "tomcat");
    tomcat.setBaseDir(dir.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    if (lenient) {
      connector.setEncodedSolidusHandling("decode");
      connector.setEncodedReverseSolidusHandling("decode");
      connector.setAllowBackslash(true);
      connector.setProperty("relaxedPathChars", "\\");
    }
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context ctx = tomcat.addContext("", dir.toString());
    int i = 0;
    for (Filter f : filters) {
      FilterDef def = new FilterDef();
      def.setFilterName("f" + i);
      def.setFilter(f);
      ctx.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName("f" + i);
      map.addURLPattern("/*");
      ctx.addFilterMap(map);
      i++;
    }
    Tomcat.addServlet(ctx, "app", servlet);
    ctx.addServletMappingDecoded("/*", "app");
    tomcat.start();
    return running(connector.getLocalPort(), () -> {
      tomcat.stop();
      tomcat.destroy();
    });
  }

  private static ServletContainer jetty(List<Filter> filters, HttpServlet servlet, boolean lenient) throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    if (lenient) {
      http.setUriCompliance(UriCompliance.UNSAFE);
    }
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler("/");
    ctx.getServletHandler().setDecodeAmbiguousURIs(lenient);
    for (Filter f : filters) {
      ctx.addFilter(new FilterHolder(f), "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    ctx.addServlet(new ServletHolder(servlet), "/*");
    server.setHandler(ctx);
    server.start();
    return running(connector.getLocalPort(), server::stop);
  }

  private static ServletContainer running(int port, AutoCloseable stop) {
    return new ServletContainer() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() throws Exception {
        stop.close();
      }
    };
  }
}
