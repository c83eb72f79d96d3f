package io.deagent.fixer;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one Spark setting is set or raised: the value to write when it is absent, and the new value for a current
 * one. Values are Spark's textual forms, so a policy never needs to know how the value was written in Python.
 * {@link Context} lets a policy read other settings of the same place (e.g. the executor heap when sizing its
 * overhead).
 */
sealed interface SettingPolicy {

    /** The value written when the setting is not configured at all. */
    Outcome whenAbsent(Context ctx);

    /** What to do with the current value. */
    Outcome raise(String current, Context ctx);

    /**
     * True when the new value is derived from the current one. Such a policy cannot insert a value when the
     * place may already set the key through something that is not a literal: the unseen value could be higher.
     */
    boolean scales();

    /** The value as a Python integer literal, when the setting reads a bare number that way. */
    default Optional<String> asInteger(String value) {
        return value.matches("-?\\d+") ? Optional.of(value) : Optional.empty();
    }

    /** The literal values of other settings at the same place. */
    interface Context {
        Optional<String> value(String key);

        Context NONE = key -> Optional.empty();
    }

    sealed interface Outcome {}

    /** Write this value; {@code why} says how it was chosen, when that is not obvious. */
    record Change(String value, String why) implements Outcome {
        Change(String value) {
            this(value, "");
        }
    }

    record AlreadySet(String reason) implements Outcome {}

    record Unsupported(String reason) implements Outcome {}

    /** Spark's byte units ({@code JavaUtils.byteStringAs}): binary, case-insensitive, {@code k} = KiB. */
    enum ByteUnit {
        BYTE(1L),
        KIB(1L << 10),
        MIB(1L << 20),
        GIB(1L << 30);

        final long bytes;

        ByteUnit(long bytes) {
            this.bytes = bytes;
        }

        private static final Pattern SIZE = Pattern.compile("(?i)(-?\\d+)\\s*(b|k|kb|m|mb|g|gb|t|tb)?");

        /** Bytes of a size string, a bare number counting in this unit; empty when it does not read as one. */
        Optional<Long> parse(String text) {
            Matcher m = SIZE.matcher(text.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
            long factor =
                    switch (unit) {
                        case "" -> bytes;
                        case "b" -> 1L;
                        case "k", "kb" -> 1L << 10;
                        case "m", "mb" -> 1L << 20;
                        case "g", "gb" -> 1L << 30;
                        default -> 1L << 40;
                    };
            return Math.abs(n) > Long.MAX_VALUE / factor ? Optional.empty() : Optional.of(n * factor);
        }

        /** The shortest exact Spark form: {@code 8g}, {@code 1536m}, {@code 512k}, or bytes. */
        static String format(long bytes) {
            if (bytes != 0 && bytes % GIB.bytes == 0) {
                return bytes / GIB.bytes + "g";
            }
            if (bytes != 0 && bytes % MIB.bytes == 0) {
                return bytes / MIB.bytes + "m";
            }
            if (bytes != 0 && bytes % KIB.bytes == 0) {
                return bytes / KIB.bytes + "k";
            }
            return Long.toString(bytes);
        }
    }

    /**
     * A size doubled from its current value up to a cap, because one doubling is the usual first remedy and the
     * cap keeps repeated failures from asking for absurd containers. At or above the cap it is left alone.
     *
     * @param whenAbsentValue the value for an unset key, from the place's other settings
     * @param capBytes the largest value the codemod writes
     * @param bareUnit what a bare number counts (MiB for memory, bytes for {@code maxResultSize})
     * @param zeroIsUnlimited {@code 0} means no limit (as for {@code spark.driver.maxResultSize}): leave it
     * @param limitedBy another setting the new value must stay under, with the fraction of it allowed
     */
    record DoubleSize(
            Function<Context, Change> whenAbsentValue,
            long capBytes,
            ByteUnit bareUnit,
            boolean zeroIsUnlimited,
            Optional<Limit> limitedBy)
            implements SettingPolicy {

        /** The new value may be at most {@code fraction} of setting {@code key} when the place sets it. */
        record Limit(String key, ByteUnit bareUnit, double fraction) {}

        static DoubleSize memory(String whenAbsent, long capBytes) {
            return new DoubleSize(ctx -> new Change(whenAbsent), capBytes, ByteUnit.MIB, false, Optional.empty());
        }

        @Override
        public Outcome whenAbsent(Context ctx) {
            Change c = whenAbsentValue.apply(ctx);
            long value = bareUnit.parse(c.value()).orElseThrow();
            long cap = cap(ctx);
            if (value > cap) {
                return new Unsupported("the value to add (" + c.value() + ") is above what "
                        + limitedBy.map(Limit::key).orElse("the cap") + " allows; raise that first");
            }
            return c;
        }

        @Override
        public Outcome raise(String current, Context ctx) {
            Optional<Long> parsed = bareUnit.parse(current);
            if (parsed.isEmpty() || parsed.get() < 0) {
                return new Unsupported("cannot read size \"" + current + "\" (expected e.g. 512m or 4g)");
            }
            long bytes = parsed.get();
            if (bytes == 0 && zeroIsUnlimited) {
                return new AlreadySet(current + " means unlimited");
            }
            if (bytes >= capBytes) {
                return new AlreadySet(
                        current + " is already at or above the codemod's cap of " + ByteUnit.format(capBytes));
            }
            long cap = cap(ctx);
            if (bytes >= cap) {
                Limit l = limitedBy.orElseThrow();
                return new AlreadySet(current + " is already " + percent(l.fraction()) + " of " + l.key() + " ("
                        + ctx.value(l.key()).orElse("?") + "); raise " + l.key() + " first");
            }
            long raised = Math.min(bytes * 2, cap);
            String why = raised < bytes * 2 && cap < capBytes
                    ? "at most " + percent(limitedBy.orElseThrow().fraction()) + " of "
                            + limitedBy.orElseThrow().key()
                    : "";
            return new Change(ByteUnit.format(raised), why);
        }

        /** The cap, lowered by the limiting setting when the place sets it to a readable size. */
        private long cap(Context ctx) {
            long cap = capBytes;
            if (limitedBy.isPresent()) {
                Limit l = limitedBy.get();
                Optional<Long> limit = ctx.value(l.key()).flatMap(l.bareUnit()::parse);
                if (limit.isPresent() && limit.get() > 0) {
                    long allowed = (long) (limit.get() * l.fraction());
                    cap = Math.min(cap, allowed - allowed % ByteUnit.MIB.bytes);
                }
            }
            return cap;
        }

        private static String percent(double fraction) {
            return Math.round(fraction * 100) + "%";
        }

        @Override
        public boolean scales() {
            return true;
        }

        @Override
        public Optional<String> asInteger(String value) {
            return bareUnit.parse(value)
                    .filter(b -> b % bareUnit.bytes == 0)
                    .map(b -> Long.toString(b / bareUnit.bytes));
        }
    }

    /** A flag that must be on. */
    record EnableFlag() implements SettingPolicy {
        @Override
        public Outcome whenAbsent(Context ctx) {
            return new Change("true");
        }

        @Override
        public Outcome raise(String current, Context ctx) {
            String v = current.strip().toLowerCase(Locale.ROOT);
            return v.equals("true") ? new AlreadySet("already true") : new Change("true");
        }

        @Override
        public boolean scales() {
            return false;
        }
    }

    /** A duration in seconds with a floor: raised to the floor when lower, left alone when higher. */
    record MinimumSeconds(int floor) implements SettingPolicy {
        private static final Pattern DURATION = Pattern.compile("(?i)(\\d+)\\s*(s|sec|m|min|h)?");

        @Override
        public Outcome whenAbsent(Context ctx) {
            return new Change(Integer.toString(floor));
        }

        @Override
        public Outcome raise(String current, Context ctx) {
            Matcher m = DURATION.matcher(current.strip());
            if (!m.matches()) {
                return new Unsupported("cannot read duration \"" + current + "\" (expected seconds, e.g. 300)");
            }
            long seconds = Long.parseLong(m.group(1)) * unitSeconds(m.group(2));
            return seconds >= floor
                    ? new AlreadySet(current + " is already at least " + floor + " seconds")
                    : new Change(Integer.toString(floor));
        }

        @Override
        public boolean scales() {
            return false;
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

    /** {@code spark.sql.autoBroadcastJoinThreshold}: {@code -1} turns automatic broadcast joins off. */
    record DisableBroadcastJoins() implements SettingPolicy {
        @Override
        public Outcome whenAbsent(Context ctx) {
            return new Change("-1");
        }

        @Override
        public Outcome raise(String current, Context ctx) {
            Optional<Long> bytes = ByteUnit.BYTE.parse(current);
            if (bytes.isEmpty()) {
                return new Unsupported("cannot read size \"" + current + "\" (expected e.g. 10MB or -1)");
            }
            return bytes.get() < 0 ? new AlreadySet("automatic broadcast joins are already off") : new Change("-1");
        }

        @Override
        public boolean scales() {
            return false;
        }
    }
}
