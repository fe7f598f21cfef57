/*
 * Amazon's DynamoDB Local, served on 127.0.0.1 only.
 *
 * DynamoDB Local's own main (ServerRunner) listens on every interface and has no option to bind an
 * address: its DynamoDBProxyServer makes `new org.eclipse.jetty.server.Server(port)`. This launcher
 * builds the same request handler ServerRunner.createServer builds, from the same command-line
 * options (parsed by DynamoDB Local's own CommandLineInput), and serves it through a Jetty connector
 * of its own bound to 127.0.0.1. Everything that answers a request is Amazon's code; only the socket
 * differs. No telemetry is configured or sent (ServerRunner's telemetry is never set up here, and
 * the runtime passes -disableTelemetry as well).
 *
 * It takes a free port (no race for one; -port is not honoured), prints one line, `listening <port>`,
 * once the connector is open, and runs until its standard input closes: the runtime that started
 * it closes that pipe to stop it, and the kernel closes it when that process dies in any way
 * (SIGKILL included), so the JVM never outlives its runtime.
 *
 * Usage: java -cp <this>:DynamoDBLocal.jar:DynamoDBLocal_lib/* LoopbackDynamoDBLocal [DynamoDB Local options]
 */
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import software.amazon.dynamodb.services.local.main.CommandLineInput;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBRequestHandler;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBServerHandler;

public final class LoopbackDynamoDBLocal {
  private static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    // What ServerRunner's static initialiser sets: Jetty quiet but for warnings.
    System.setProperty("org.eclipse.jetty.util.log.announce", "false");
    System.setProperty("org.eclipse.jetty.LEVEL", "WARN");

    CommandLineInput options = new CommandLineInput(args);
    if (!options.init()) System.exit(2);
    if (!options.isDisableTelemetry()) {
      System.err.println("LoopbackDynamoDBLocal: pass -disableTelemetry");
      System.exit(2);
    }

    // As ServerRunner.createServer, with no telemetry, and no CORS allow-list (-cors is not honoured):
    // no web page may read the hub's tables.
    LocalDynamoDBServerHandler handler = new LocalDynamoDBServerHandler(
        new LocalDynamoDBRequestHandler(0, options.isInMemory(), options.getDbPath(), options.getSharedDb(), options.shouldDelayTransientStatuses()),
        null);
    // As DynamoDBProxyServer.setUpHandler.
    ContextHandler context = new ContextHandler();
    context.setHandler(handler);
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    contexts.addHandler(context);

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(LOOPBACK);
    // A free port, always: DynamoDB Local's -port refuses 0, and whoever starts this reads the port.
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(contexts);
    server.start();
    System.out.println("listening " + connector.getLocalPort());
    System.out.flush();

    while (System.in.read() != -1) {
      // Nothing is read on purpose: end of input is the signal to stop.
    }
    server.stop();
    handler.close();
    System.exit(0);
  }
}
