package io.deagent.app.serve;

import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
import io.deagent.runtime.Config;
import io.deagent.runtime.Investigators;
import io.deagent.runtime.WebhookSignature;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of {@code serve}: the store, the investigator with its sources, the dispatcher and
 * the HTTP door, built from configuration, started and stopped in the right order.
 */
public final class Service implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Service.class);

    private final Database database;
    private final Dispatcher dispatcher;
    private final Optional<SlackReplier> replier;
    private final Optional<AirflowWatcher> watcher;
    private final Optional<FollowUps> followUps;
    private final List<AutoCloseable> intakes;
    private final HttpApi api;
    private final Javalin http;
    private final Duration grace;

    private Service(
            Database database,
            Dispatcher dispatcher,
            Optional<SlackReplier> replier,
            Optional<AirflowWatcher> watcher,
            Optional<FollowUps> followUps,
            List<AutoCloseable> intakes,
            HttpApi api,
            Javalin http,
            Duration grace) {
        this.followUps = followUps;
        this.database = database;
        this.dispatcher = dispatcher;
        this.replier = replier;
        this.watcher = watcher;
        this.intakes = intakes;
        this.api = api;
        this.http = http;
        this.grace = grace;
    }

    /** Opens the database at the configured URL (the embedded file by default). */
    public static Database openDatabase(Config config, int poolSize) {
        return Database.open(
                config.get("DE_AGENT_DB_URL", Database.DEFAULT_URL),
                config.get("DE_AGENT_DB_USER"),
                config.get("DE_AGENT_DB_PASSWORD"),
                poolSize);
    }

    public static Dispatcher.Settings dispatcherSettings(Config config) {
        return new Dispatcher.Settings(
                config.integer("DE_AGENT_WORKERS", 4, 1, 256),
                config.seconds("DE_AGENT_LEASE_SECONDS", 60, 2, 3600),
                config.integer("DE_AGENT_MAX_ATTEMPTS", 3, 1, 100),
                Duration.ofMillis(config.integer("DE_AGENT_POLL_MILLIS", 500, 10, 60_000)),
                Duration.ofSeconds(5),
                config.seconds("DE_AGENT_SHUTDOWN_GRACE_SECONDS", 20, 0, 600));
    }

    /** Builds and starts the service on {@code port} (0 picks a free one). */
    public static Service start(Config config, int port, Clock clock) {
        Dispatcher.Settings settings = dispatcherSettings(config);
        Database db = openDatabase(config, settings.workers() + 8);
        try {
            IncidentStore store = new IncidentStore(db);
            ServiceMetrics metrics = new ServiceMetrics(store::queueDepth);
            Dispatcher dispatcher = new Dispatcher(
                    store,
                    Investigators.investigator(config, clock),
                    metrics,
                    clock,
                    settings,
                    Dispatcher.newWorkerId());
            Optional<WebhookSignature> signature =
                    config.get("DE_AGENT_WEBHOOK_SECRET").map(WebhookSignature::new);
            if (signature.isEmpty()) {
                log.warn("DE_AGENT_WEBHOOK_SECRET is not set: the Airflow webhook will refuse every request");
            }
            int maxBody = config.integer("DE_AGENT_MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20);
            Optional<SlackSetup> slack = SlackSetup.of(config, db, store, metrics, dispatcher, clock, settings.poll());
            io.deagent.app.store.Remediations remediations = new io.deagent.app.store.Remediations(db);
            HttpApi api = new HttpApi(
                    store,
                    db,
                    signature,
                    metrics,
                    dispatcher::wake,
                    clock,
                    maxBody,
                    config.get("DE_AGENT_API_TOKEN"),
                    slack.map(SlackSetup::door),
                    slack.map(SlackSetup::records),
                    Optional.of(new io.deagent.app.web.IncidentsPage(
                            store,
                            io.deagent.app.web.PageSettings.from(config),
                            (i, full) ->
                                    HttpApi.withRemediation(HttpApi.json(i, full), i.id(), Optional.of(remediations)),
                            clock)));
            api.remediations(remediations);
            slack.ifPresent(sl -> sl.replier().remediations(remediations));
            FollowUps.Integrations integrations = FollowUps.Integrations.from(config);
            Optional<FollowUps> followUps = integrations.any()
                    ? Optional.of(new FollowUps(
                            integrations,
                            new io.deagent.app.store.Outbox(db),
                            store,
                            remediations,
                            slack.map(SlackSetup::records),
                            () -> slack.ifPresent(sl -> sl.replier().wake()),
                            clock,
                            settings.poll(),
                            dispatcher.workerId()))
                    : Optional.empty();
            followUps.ifPresent(f -> {
                dispatcher.followUps(f::after);
                api.onSuccess(f::succeeded);
            });
            // the queue doors: failure events from SQS and Kafka, through the same durable intake and dedupe;
            // built before anything starts, so that bad settings stop the start
            QueuedEvents queued = new QueuedEvents(store, dispatcher::wake, metrics, clock);
            Optional<SqsIntake> sqs = SqsIntake.from(config, queued);
            Optional<KafkaIntake> kafka = KafkaIntake.from(config, queued, dispatcher.workerId());
            Javalin http = api.create(config.get("DE_AGENT_BIND", "0.0.0.0"), port);
            http.start(); // first: a port in use stops the start before any work is claimed
            dispatcher.start();
            slack.ifPresent(sl -> sl.replier().start());
            followUps.ifPresent(FollowUps::start);
            dispatcher.onOutcome(() -> {
                slack.ifPresent(sl -> sl.replier().wake());
                followUps.ifPresent(FollowUps::wake);
            });
            Optional<AirflowWatcher> watcher = watcher(config, store, dispatcher, metrics, clock);
            watcher.ifPresent(AirflowWatcher::start);
            List<AutoCloseable> intakes = new ArrayList<>();
            sqs.ifPresent(q -> {
                q.start();
                intakes.add(q);
            });
            kafka.ifPresent(k -> {
                k.start();
                intakes.add(k);
            });
            log.info(
                    "de-agent serving on port {} with the incident store at {} (worker {})",
                    http.port(),
                    db.displayUrl(),
                    dispatcher.workerId());
            return new Service(
                    db,
                    dispatcher,
                    slack.map(SlackSetup::replier),
                    watcher,
                    followUps,
                    intakes,
                    api,
                    http,
                    settings.grace());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** {@code DE_AGENT_AIRFLOW_WATCH_SECONDS} > 0 and Airflow configured: poll for unreported failures. */
    private static Optional<AirflowWatcher> watcher(
            Config config, IncidentStore store, Dispatcher dispatcher, ServiceMetrics metrics, Clock clock) {
        int every = config.integer("DE_AGENT_AIRFLOW_WATCH_SECONDS", 0, 0, 86_400);
        if (every == 0) {
            return Optional.empty();
        }
        var settings = io.deagent.sources.airflow.AirflowSettings.from(config::get);
        if (settings.isEmpty()) {
            log.warn("DE_AGENT_AIRFLOW_WATCH_SECONDS is set but Airflow is not configured (AIRFLOW_BASE_URL or "
                    + "MWAA_ENVIRONMENT); the watcher is off");
            return Optional.empty();
        }
        return Optional.of(new AirflowWatcher(
                io.deagent.sources.airflow.AirflowApi.connect(settings.get()),
                store,
                dispatcher::wake,
                metrics,
                clock,
                Duration.ofSeconds(every),
                Duration.ofMinutes(config.integer("DE_AGENT_AIRFLOW_WATCH_LOOKBACK_MINUTES", 60, 1, 10_080))));
    }

    public int port() {
        return http.port();
    }

    /**
     * Stops in order: readiness goes false, the HTTP door stops taking requests (letting answers in flight
     * finish), the dispatcher finishes or returns its work, and the database closes.
     */
    @Override
    public void close() {
        api.stopping();
        log.info("shutting down: finishing work in progress (up to {} s)", grace.toSeconds());
        watcher.ifPresent(AirflowWatcher::close);
        for (AutoCloseable intake : intakes) {
            try {
                intake.close();
            } catch (Exception e) {
                log.warn("stopping an intake: {}", e.getMessage());
            }
        }
        http.stop();
        dispatcher.close();
        replier.ifPresent(SlackReplier::close);
        followUps.ifPresent(FollowUps::close);
        database.close();
        log.info("stopped");
    }
}
