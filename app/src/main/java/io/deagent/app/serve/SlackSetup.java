package io.deagent.app.serve;

import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
import io.deagent.app.store.Outbox;
import io.deagent.app.store.SlackRecords;
import io.deagent.runtime.Config;
import io.deagent.slack.SlackDoor;
import io.deagent.slack.SlackWebApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Slack pieces of {@code serve}, built when {@code SLACK_BOT_TOKEN} and {@code SLACK_SIGNING_SECRET} are set. */
record SlackSetup(SlackDoor door, SlackReplier replier, SlackRecords records) {

    private static final Logger log = LoggerFactory.getLogger(SlackSetup.class);
    static final String DEFAULT_API_URL = "https://slack.com/api/";

    static Optional<SlackSetup> of(
            Config config,
            Database db,
            IncidentStore store,
            ServiceMetrics metrics,
            Dispatcher dispatcher,
            Clock clock,
            Duration poll) {
        Optional<String> token = config.get("SLACK_BOT_TOKEN");
        Optional<String> secret = config.get("SLACK_SIGNING_SECRET");
        if (token.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (token.isEmpty() || secret.isEmpty()) {
            log.warn(
                    "Slack is off: set both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (only {} is set)",
                    token.isPresent() ? "SLACK_BOT_TOKEN" : "SLACK_SIGNING_SECRET");
            return Optional.empty();
        }
        var slack = SlackWebApi.client(config.get("SLACK_API_URL", DEFAULT_API_URL));
        SlackWebApi api = new SlackWebApi(slack, token.get());
        Outbox outbox = new Outbox(db);
        SlackRecords records = new SlackRecords(db);
        Optional<io.deagent.llm.FollowUpAnswerer> answerer;
        try {
            answerer = io.deagent.llm.LlmSettings.from(config::get).map(io.deagent.llm.FollowUpAnswerer::new);
        } catch (IllegalArgumentException e) {
            answerer = Optional.empty(); // the investigator reports bad LLM settings at start-up
        }
        SlackReplier replier = new SlackReplier(
                outbox,
                store,
                api,
                metrics,
                clock,
                config.get("DE_AGENT_PUBLIC_URL"),
                poll,
                dispatcher.workerId(),
                answerer);
        var me = identity(api, clock);
        Thread.ofVirtual().name("slack-identity").start(me::get); // learn who we are before the first event
        SlackIntake intake = new SlackIntake(
                store,
                outbox,
                records,
                new SlackChannels(config.get("SLACK_CHANNELS", ""), Optional.of(api)),
                me,
                metrics,
                dispatcher::wake,
                replier::wake,
                clock,
                answerer.isPresent());
        return Optional.of(new SlackSetup(new SlackDoor(secret.get(), token.get(), slack, intake), replier, records));
    }

    /** Who the bot is ({@code auth.test}), asked once and again at most every minute while Slack fails. */
    private static java.util.function.Supplier<SlackIntake.SlackIdentity> identity(SlackWebApi api, Clock clock) {
        AtomicReference<SlackIntake.SlackIdentity> known = new AtomicReference<>();
        AtomicReference<Instant> lastTry = new AtomicReference<>(Instant.EPOCH);
        return () -> {
            SlackIntake.SlackIdentity id = known.get();
            if (id != null) {
                return id;
            }
            if (Duration.between(lastTry.get(), clock.instant()).compareTo(Duration.ofMinutes(1)) >= 0) {
                lastTry.set(clock.instant());
                try {
                    var me = api.authTest();
                    id = new SlackIntake.SlackIdentity(me.userId(), me.botId());
                    known.set(id);
                    return id;
                } catch (SlackWebApi.SlackCallException e) {
                    log.warn(
                            "Slack auth.test failed: {}; own messages are recognised by their app id until it works",
                            e.getMessage());
                }
            }
            return new SlackIntake.SlackIdentity("", "");
        };
    }
}
