package io.deagent.app;

import io.deagent.app.serve.Service;
import io.deagent.runtime.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run the HTTP server: the Airflow webhook, the incidents page and API, health and metrics.",
            "Events are recorded in the incident store (an embedded file under ./.de-agent/ by default,",
            "PostgreSQL when DE_AGENT_DB_URL points at one) and investigated in the background."
        })
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "N", description = "port to listen on (default: $PORT or 3000)")
    Integer port;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (default ./de-agent.yaml if present)")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        // a service logs to stdout at INFO; set before the first logger is created
        System.setProperty("de_agent.log.target", "System.out");
        System.setProperty("de_agent.log.level", "INFO");
        Config cfg = Config.load(Optional.ofNullable(config));
        int listen = port != null ? port : cfg.integer("PORT", 3000, 0, 65535);
        if (listen < 0 || listen > 65535) {
            throw new UsageException("--port must be from 0 to 65535, got " + listen);
        }
        Service service;
        try {
            service = Service.start(cfg, listen, Clock.systemUTC());
        } catch (io.javalin.util.JavalinBindException e) {
            throw new UsageException("cannot listen on port " + listen + ": it is in use (choose another with --port)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            service.close();
                            stopped.countDown();
                        },
                        "de-agent-shutdown"));
        stopped.await();
        return 0;
    }
}
