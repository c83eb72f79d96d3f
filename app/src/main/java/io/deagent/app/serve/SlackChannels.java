package io.deagent.app.serve;

import io.deagent.slack.SlackWebApi;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code SLACK_CHANNELS}: the channels watched for alerts, as ids ({@code C0123ABC}) or names
 * ({@code data-alerts}, {@code #data-alerts}). Empty means every channel the bot is in. Names are matched by
 * looking the channel id up once ({@code conversations.info}) and remembering the answer.
 */
final class SlackChannels {

    private static final Logger log = LoggerFactory.getLogger(SlackChannels.class);

    private final Set<String> ids;
    private final Set<String> names;
    private final Optional<SlackWebApi> api;
    private final Map<String, String> nameOf = new ConcurrentHashMap<>();

    SlackChannels(String setting, Optional<SlackWebApi> api) {
        Set<String> all = Arrays.stream(setting.split("[,\\s]+"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
        this.ids = all.stream().filter(SlackChannels::isId).collect(Collectors.toSet());
        this.names = all.stream()
                .filter(s -> !isId(s))
                .map(s -> s.replaceFirst("^#", "").toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        this.api = api;
    }

    static boolean isId(String s) {
        return s.matches("[CGD][A-Z0-9]{6,}");
    }

    boolean watchesAll() {
        return ids.isEmpty() && names.isEmpty();
    }

    boolean watches(String channelId) {
        if (watchesAll() || ids.contains(channelId)) {
            return true;
        }
        if (names.isEmpty() || api.isEmpty()) {
            return false;
        }
        String name = nameOf.computeIfAbsent(channelId, id -> {
            try {
                return api.get().channelName(id).toLowerCase(Locale.ROOT);
            } catch (SlackWebApi.SlackCallException e) {
                log.warn("cannot look up the name of channel {} to match SLACK_CHANNELS: {}", id, e.getMessage());
                return "";
            }
        });
        if (name.isEmpty()) {
            nameOf.remove(channelId); // ask again next time
        }
        return names.contains(name);
    }
}
