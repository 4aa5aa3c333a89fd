package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.userec.BadInputException;
import org.userec.export.ExportedModel;
import org.userec.serve.RecommendationServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve an exported model over HTTP (docs/serving.md): GET /v1/users/{user}/recommendations?k=20,",
      "GET /v1/items/{item}/similar?k=10, POST /v1/recommendations (anonymous history), POST /v1/items (new item",
      "from features: PGL, USERec), GET /health, /metrics (Prometheus), /openapi.json, the page at /, and",
      "POST /admin/reload (loopback only). Runs until interrupted.",
      "",
      "Example: userec serve --model models/baby-lightgcn --port 8080"
    })
final class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model folder written by 'userec export'.")
  Path model;

  @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "TCP port (default 8080; 0 picks a free one).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
      description = "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).")
  String host;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (port < 0 || port > 65535) {
      throw new BadInputException("--port must be in [0, 65535], got " + port);
    }
    ExportedModel m = ExportedModel.load(model);
    RecommendationServer server;
    try {
      server = RecommendationServer.start(m, model, host, port);
    } catch (RuntimeException e) {
      throw new BadInputException("cannot listen on " + host + ":" + port + " (" + rootMessage(e) + "); choose another --port");
    }
    out.printf("serving %s (%d users, %d items) on http://%s:%d/ (Ctrl-C stops)%n", m.model(), m.numUsers(), m.numItems(), host, server.port());
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }));
    stop.await();
    return 0;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
