package io.deagent.fixer;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one Spark setting is raised: the value to add when it is absent, and the new value for a current one.
 * Values are Spark's textual forms, so the policy never needs to know how the value was written in Python.
 */
sealed interface SettingPolicy {

    /** The value written when the setting is not configured at all. */
    String whenAbsent();

    /** What to do with the current value. */
    Outcome raise(String current);

    sealed interface Outcome {}

    record Change(String value) implements Outcome {}

    record AlreadySet(String reason) implements Outcome {}

    record Unsupported(String reason) implements Outcome {}

    /**
     * Memory sizes: double the current value, capped, because one doubling is the usual first remedy and the
     * cap keeps repeated failures from asking for absurd containers. A bare number is MiB, as Spark reads it.
     */
    record DoubleMemory(String whenAbsent, int capMib) implements SettingPolicy {
        private static final Pattern SIZE = Pattern.compile("(?i)(\\d+)\\s*(m|mb|g|gb)?");

        @Override
        public Outcome raise(String current) {
            Matcher m = SIZE.matcher(current.strip());
            if (!m.matches()) {
                return new Unsupported("cannot read memory size \"" + current + "\" (expected e.g. 512m or 4g)");
            }
            long mib = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "m" : m.group(2).toLowerCase(Locale.ROOT);
            if (unit.startsWith("g")) {
                mib *= 1024;
            }
            if (mib >= capMib) {
                return new AlreadySet(current + " is already at or above the codemod's cap of " + format(capMib));
            }
            return new Change(format(Math.min(mib * 2, capMib)));
        }

        static String format(long mib) {
            return mib % 1024 == 0 ? (mib / 1024) + "g" : mib + "m";
        }
    }

    /** A flag that must be on. */
    record EnableFlag() implements SettingPolicy {
        @Override
        public String whenAbsent() {
            return "true";
        }

        @Override
        public Outcome raise(String current) {
            String v = current.strip().toLowerCase(Locale.ROOT);
            return v.equals("true") ? new AlreadySet("already true") : new Change("true");
        }
    }

    /** A duration in seconds with a floor: raised to the floor when lower, left alone when higher. */
    record MinimumSeconds(int floor) implements SettingPolicy {
        private static final Pattern DURATION = Pattern.compile("(?i)(\\d+)\\s*(s|sec|m|min|h)?");

        @Override
        public String whenAbsent() {
            return Integer.toString(floor);
        }

        @Override
        public Outcome raise(String current) {
            Matcher m = DURATION.matcher(current.strip());
            if (!m.matches()) {
                return new Unsupported("cannot read duration \"" + current + "\" (expected seconds, e.g. 300)");
            }
            long seconds = Long.parseLong(m.group(1)) * unitSeconds(m.group(2));
            return seconds >= floor
                    ? new AlreadySet(current + " is already at least " + floor + " seconds")
                    : new Change(Integer.toString(floor));
        }

        private static long unitSeconds(String unit) {
            if (unit == null) {
                return 1;
            }
            return switch (unit.toLowerCase(Locale.ROOT)) {
                case "m", "min" -> 60;
                case "h" -> 3600;
                default -> 1;
            };
        }
    }
}
