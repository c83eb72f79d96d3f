package io.deagent.fixer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.treesitter.TSNode;

/**
 * Where a file configures Spark, and every literal that sets a Spark setting. Places are where a missing setting
 * can be added; sites are the literals of settings already there, each owned by its place (or by none, like
 * {@code spark.conf.set(...)} on a running session).
 *
 * <p>Places, in the styles people write:
 *
 * <ul>
 *   <li>a {@code SparkSession.builder...getOrCreate()} chain (inline, parenthesised or with backslashes), together
 *       with the one {@code SparkConf} it is given through {@code .config(conf=...)};
 *   <li>a {@code SparkConf()} chain, with the {@code conf.set(...)} statements on the variable that holds it;
 *   <li>an Airflow {@code SparkSubmitOperator} / {@code SparkSubmitHook} / {@code LivyOperator} call: its {@code
 *       executor_memory} and {@code driver_memory} arguments and its {@code conf} dict (inline or a module-level
 *       name);
 *   <li>a dict literal of Spark settings ({@code {"spark.x": ...}}: EMR {@code Properties}, Databricks {@code
 *       spark_conf}, ...);
 *   <li>a spark-submit argument list ({@code ["spark-submit", "--conf", "spark.x=y", ...]}, {@code "--conf=spark.x=y"},
 *       {@code "--executor-memory", "4g"}): EMR steps and {@code EmrAddStepsOperator};
 *   <li>a string of {@code --conf k=v} options (EMR Serverless {@code sparkSubmitParameters}, a spark-submit
 *       command) or a Glue {@code "--conf": "spark.a=b --conf spark.c=d"} argument.
 * </ul>
 *
 * <p>Everything here holds tree nodes, so it is only valid while its {@link PythonCst} is open.
 */
final class SparkConfigs {

    /** Call names whose keyword arguments configure one spark-submit. */
    static final Set<String> SUBMIT_CALLS = Set.of("SparkSubmitOperator", "SparkSubmitHook", "LivyOperator");

    /** Keyword arguments of those calls that set a memory setting, and win over the same key in {@code conf}. */
    private static final Map<String, String> SUBMIT_KEYWORDS =
            Map.of("executor_memory", "spark.executor.memory", "driver_memory", "spark.driver.memory");

    /** spark-submit options that set a setting and win over {@code --conf} of the same key. */
    private static final Map<String, String> SUBMIT_OPTIONS =
            Map.of("--executor-memory", "spark.executor.memory", "--driver-memory", "spark.driver.memory");

    /** Older names Spark still reads when the current key is not set. */
    private static final Map<String, String> LEGACY_KEYS = Map.of(
            "spark.yarn.executor.memoryOverhead", "spark.executor.memoryOverhead",
            "spark.yarn.driver.memoryOverhead", "spark.driver.memoryOverhead");

    private static final Set<String> SETTERS = Set.of("config", "set", "setIfMissing");

    private static final Pattern CONF_OPTION = Pattern.compile("(?<=^|\\s)--conf(?:\\s+|=)(\\S+)");
    private static final Pattern MEMORY_OPTION =
            Pattern.compile("(?<=^|\\s)(--(?:executor|driver)-memory)(?:\\s+|=)(\\S+)");
    private static final Pattern GLUE_FIRST = Pattern.compile("^\\s*([^\\s=]+)=(\\S*)");
    /** A spark-submit command with something after it (not a lone {@code spark_binary="spark-submit"}). */
    private static final Pattern SUBMIT_COMMAND = Pattern.compile("(?<=^|\\s|/)spark-submit(?=\\s+\\S)");

    enum Kind {
        BUILDER("SparkSession builder", false),
        SPARK_CONF("SparkConf", false),
        SUBMIT_CALL("SparkSubmitOperator", true),
        CONF_DICT("dict of Spark settings", true),
        ARGUMENTS("spark-submit argument list", true),
        CONF_STRING("--conf string", true);

        final String label;
        /** Configures a whole job run (a DAG task, an EMR step), not a session inside one job. */
        final boolean job;

        Kind(String label, boolean job) {
            this.label = label;
            this.job = job;
        }
    }

    /** Which of several sites of one key in one place Spark uses: the highest rank wins. */
    enum Rank {
        LEGACY,
        PRIMARY,
        DEDICATED
    }

    /** A literal value in the source; {@code [start, end)} are the bytes to replace. */
    record Value(Type type, int start, int end, Optional<String> text) {
        enum Type {
            STRING,
            INTEGER,
            BOOLEAN,
            OTHER
        }

        /** The source text for a new value in this literal's type, if it can be written there. */
        Optional<String> render(String newValue, SettingPolicy policy) {
            return switch (type) {
                case STRING -> Optional.of(newValue);
                case INTEGER -> policy.asInteger(newValue);
                case BOOLEAN ->
                    newValue.equals("true") || newValue.equals("false")
                            ? Optional.of(newValue.equals("true") ? "True" : "False")
                            : Optional.empty();
                case OTHER -> Optional.empty();
            };
        }
    }

    /**
     * One setting written in the file: the key Spark reads, how it is written there ({@code executor_memory=},
     * {@code --executor-memory}, a legacy key...), its value and its place (null when it belongs to none).
     */
    record Site(String key, String writtenAs, Rank rank, Value value, Place owner, int line) {}

    /** A place that configures Spark. Mutable while the file is read; treat as read-only after. */
    static final class Place {
        final Kind kind;
        final TSNode node;
        Optional<String> taskId = Optional.empty();
        final List<Site> sites = new ArrayList<>();
        /** Entries whose key is not a literal (a variable, {@code **extra}, {@code conf=make_conf()}). */
        final List<Integer> opaqueLines = new ArrayList<>();

        SparkChains.Chain chain; // BUILDER, SPARK_CONF
        Place conf; // BUILDER: the SparkConf it is given
        String variable; // SPARK_CONF: the name it is assigned to
        TSNode lastSetStatement; // SPARK_CONF: the last "conf.set(...)" statement on that name
        TSNode dict; // SUBMIT_CALL: its conf dict; CONF_DICT: itself
        final List<Place> dictSharedWith = new ArrayList<>(); // SUBMIT_CALL: other calls given the same dict
        TSNode insertAfterRow; // ARGUMENTS: the first node of the last entry row
        TSNode insertAfterEnd; // ARGUMENTS: the last node of that row
        boolean joinedConf; // ARGUMENTS: the list writes "--conf=k=v" rather than "--conf", "k=v"
        int stringInsertAt = -1; // CONF_STRING: the byte after which " --conf k=v" goes
        char quote = '"';

        Place(Kind kind, TSNode node) {
            this.kind = kind;
            this.node = node;
        }

        /** The sites of one key (any spelling) here, highest rank only. */
        List<Site> effective(String key) {
            List<Site> of = sites.stream().filter(s -> s.key().equals(key)).toList();
            Rank top = of.stream().map(Site::rank).max(Enum::compareTo).orElse(Rank.PRIMARY);
            return of.stream().filter(s -> s.rank() == top).toList();
        }

        /** The literal value this place gives a key, when it sets it exactly once. */
        Optional<String> value(String key) {
            List<Site> s = effective(key);
            return s.size() == 1 ? s.get(0).value().text() : Optional.empty();
        }

        String describe(PythonCst cst) {
            return kind.label + " on line " + (cst.line(node) + 1)
                    + taskId.map(t -> " (task " + t + ")").orElse("");
        }

        /** True when a site is in a conf dict that other calls are given too: editing it changes them all. */
        boolean inSharedDict(Site site) {
            return !dictSharedWith.isEmpty()
                    && site.value().start() >= dict.getStartByte()
                    && site.value().end() <= dict.getEndByte();
        }

        /** Why the conf dict of this place cannot be edited for it alone. */
        String sharedDictReason(PythonCst cst) {
            return "the conf dict on line " + (cst.line(dict) + 1) + " is shared with "
                    + dictSharedWith.stream()
                            .map(p -> p.describe(cst))
                            .collect(java.util.stream.Collectors.joining(", "))
                    + ": changing it would change all of them";
        }
    }

    private final PythonCst cst;
    private final List<Place> places = new ArrayList<>();
    private final List<Site> looseSites = new ArrayList<>();

    private SparkConfigs(PythonCst cst) {
        this.cst = cst;
    }

    /** Reads every place and site of a file. */
    static SparkConfigs read(PythonCst cst) {
        SparkConfigs c = new SparkConfigs(cst);
        c.readChains();
        c.readSubmitCalls();
        c.readDicts();
        c.readArgumentLists();
        c.readConfStrings();
        c.assignTaskIds();
        c.places.sort(java.util.Comparator.comparingInt(p -> p.node.getStartByte()));
        return c;
    }

    /** The places where a setting can be added (a SparkConf given to a builder is part of the builder). */
    List<Place> places() {
        return places;
    }

    /** Every site of a key, in source order: in places (highest rank per place) and outside any. */
    List<Site> sites(String key) {
        List<Site> out = new ArrayList<>();
        for (Place p : places) {
            out.addAll(p.effective(key));
        }
        looseSites.stream().filter(s -> s.key().equals(key)).forEach(out::add);
        out.sort(java.util.Comparator.comparingInt(s -> s.value().start()));
        return out;
    }

    // ---------------------------------------------------------------- builder and SparkConf chains

    private void readChains() {
        List<SparkChains.Chain> chains = SparkChains.find(cst);
        Map<SparkChains.Chain, Place> byChain = new LinkedHashMap<>();
        for (SparkChains.Chain chain : chains) {
            Place p =
                    new Place(chain.kind() == SparkChains.Kind.BUILDER ? Kind.BUILDER : Kind.SPARK_CONF, chain.start());
            p.chain = chain;
            if (chain.kind() == SparkChains.Kind.CONF) {
                p.variable = assignedName(chain.outer()).orElse(null);
            }
            p.quote = cst.quoteIn(chain.outer());
            byChain.put(chain, p);
        }
        // a builder given a SparkConf: .config(conf=conf) or .config(conf=SparkConf()...)
        for (Place builder : byChain.values()) {
            if (builder.kind != Kind.BUILDER) {
                continue;
            }
            for (SparkChains.Link link : builder.chain.links()) {
                TSNode args = PythonCst.field(link.call(), "arguments");
                if (!link.method().equals("config") || args == null) {
                    continue;
                }
                Optional<TSNode> confArg = cst.keyword(args, "conf");
                if (confArg.isEmpty()) {
                    continue;
                }
                Optional<Place> conf = confPlace(byChain.values(), PythonCst.unparenthesized(confArg.get()));
                if (conf.isPresent() && builder.conf == null) {
                    builder.conf = conf.get();
                } else {
                    builder.opaqueLines.add(cst.line(args) + 1);
                }
            }
        }
        for (Place p : byChain.values()) {
            boolean linked = byChain.values().stream().anyMatch(b -> b.conf == p);
            if (!linked) {
                places.add(p);
            }
        }
        for (TSNode call : cst.nodes("call")) {
            readSetter(call, byChain);
        }
    }

    private Optional<Place> confPlace(Iterable<Place> candidates, TSNode arg) {
        Place found = null;
        for (Place p : candidates) {
            if (p.kind != Kind.SPARK_CONF) {
                continue;
            }
            boolean match = arg.getType().equals("identifier")
                    ? cst.text(arg).equals(p.variable)
                    : PythonCst.same(PythonCst.unparenthesized(p.chain.outer()), arg);
            if (match) {
                if (found != null) {
                    return Optional.empty();
                }
                found = p;
            }
        }
        return Optional.ofNullable(found);
    }

    /** {@code x.config(k, v)}, {@code x.set(k, v)}, {@code x.setIfMissing(k, v)}, {@code x.setAll([(k, v)])}. */
    private void readSetter(TSNode call, Map<SparkChains.Chain, Place> byChain) {
        String method = cst.calleeName(call);
        TSNode receiver = PythonCst.receiver(call);
        TSNode args = PythonCst.field(call, "arguments");
        if (receiver == null || args == null || !(SETTERS.contains(method) || method.equals("setAll"))) {
            return;
        }
        Place raw = ownerOf(call, receiver, byChain);
        Place owner = raw == null ? null : effectiveOwner(raw);
        if (raw != null && raw.kind == Kind.SPARK_CONF && !raw.chain.contains(call)) {
            TSNode statement = PythonCst.parent(PythonCst.parenthesized(outermostSetter(call)));
            if (statement != null && statement.getType().equals("expression_statement")) {
                raw.lastSetStatement = statement;
            }
        }
        List<TSNode> positional = PythonCst.positional(args);
        if (method.equals("setAll")) {
            if (owner == null || positional.size() != 1) {
                return;
            }
            TSNode pairs = PythonCst.unparenthesized(positional.get(0));
            if (!pairs.getType().equals("list") && !pairs.getType().equals("tuple")) {
                owner.opaqueLines.add(cst.line(args) + 1);
                return;
            }
            for (TSNode pair : PythonCst.namedChildren(pairs)) {
                List<TSNode> kv = pair.getType().equals("tuple") ? PythonCst.namedChildren(pair) : List.of();
                Optional<String> key = kv.size() == 2 ? cst.stringValue(kv.get(0)) : Optional.empty();
                if (key.isPresent()) {
                    addSite(owner, key.get(), key.get(), valueOf(kv.get(1)), kv.get(1));
                } else {
                    owner.opaqueLines.add(cst.line(pair) + 1);
                }
            }
            return;
        }
        if (positional.size() < 2) {
            return;
        }
        Optional<String> key = cst.stringValue(positional.get(0));
        if (key.isPresent()) {
            addSite(owner, key.get(), key.get(), valueOf(positional.get(1)), positional.get(1));
        } else if (owner != null) {
            owner.opaqueLines.add(cst.line(args) + 1);
        }
    }

    /** The place a setter call belongs to: a link of its chain, or a statement on the variable of a SparkConf. */
    private Place ownerOf(TSNode call, TSNode receiver, Map<SparkChains.Chain, Place> byChain) {
        for (Map.Entry<SparkChains.Chain, Place> e : byChain.entrySet()) {
            if (e.getKey().contains(call)) {
                return e.getValue();
            }
        }
        // conf.set(...), conf.set(...).set(...): the base of the receiver is the variable of a SparkConf
        TSNode base = receiver;
        while (base.getType().equals("call")) {
            if (!SETTERS.contains(cst.calleeName(base)) && !cst.calleeName(base).equals("setAll")) {
                return null;
            }
            base = PythonCst.receiver(base);
            if (base == null) {
                return null;
            }
        }
        if (!base.getType().equals("identifier")) {
            return null;
        }
        String name = cst.text(base);
        Place found = null;
        for (Place p : byChain.values()) {
            if (p.kind == Kind.SPARK_CONF && name.equals(p.variable)) {
                if (found != null) {
                    return null;
                }
                found = p;
            }
        }
        return found;
    }

    /** The last call of {@code conf.set(...).set(...)} that holds this one. */
    private TSNode outermostSetter(TSNode call) {
        TSNode node = call;
        while (true) {
            TSNode attribute = PythonCst.parent(node);
            TSNode outer = attribute == null ? null : PythonCst.parent(attribute);
            if (attribute == null
                    || !attribute.getType().equals("attribute")
                    || outer == null
                    || !outer.getType().equals("call")
                    || !(SETTERS.contains(cst.calleeName(outer))
                            || cst.calleeName(outer).equals("setAll"))) {
                return node;
            }
            node = outer;
        }
    }

    private Place effectiveOwner(Place p) {
        for (Place b : places) {
            if (b.conf == p) {
                return b;
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- Airflow spark-submit calls

    private void readSubmitCalls() {
        for (TSNode call : cst.nodes("call")) {
            TSNode function = PythonCst.field(call, "function");
            TSNode args = PythonCst.field(call, "arguments");
            if (function == null
                    || args == null
                    || SUBMIT_CALLS.stream().noneMatch(n -> SparkChains.endsWithName(cst, function, n))) {
                continue;
            }
            Place p = new Place(Kind.SUBMIT_CALL, call);
            for (TSNode a : PythonCst.namedChildren(args)) {
                if (a.getType().equals("dictionary_splat")) {
                    p.opaqueLines.add(cst.line(a) + 1);
                    continue;
                }
                if (!a.getType().equals("keyword_argument")) {
                    continue;
                }
                String name = cst.text(PythonCst.field(a, "name"));
                TSNode value = PythonCst.field(a, "value");
                if (SUBMIT_KEYWORDS.containsKey(name)) {
                    addSite(p, SUBMIT_KEYWORDS.get(name), name + "=", valueOf(value), value);
                } else if (name.equals("conf")) {
                    Optional<TSNode> dict = dictOf(value);
                    if (dict.isPresent()) {
                        p.dict = dict.get();
                        readDictEntries(p, dict.get());
                    } else {
                        p.opaqueLines.add(cst.line(a) + 1);
                    }
                }
            }
            p.quote = cst.quoteIn(call);
            places.add(p);
        }
        for (Place p : places) {
            for (Place other : places) {
                if (p != other && p.dict != null && other.dict != null && PythonCst.same(p.dict, other.dict)) {
                    p.dictSharedWith.add(other);
                }
            }
        }
    }

    /** The keyword argument of a spark-submit call that sets a key, if there is one ({@code executor_memory}). */
    static Optional<String> submitKeyword(String key) {
        return SUBMIT_KEYWORDS.entrySet().stream()
                .filter(e -> e.getValue().equals(key))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** The edit that adds {@code keyword="value"} to the arguments of a spark-submit call. */
    Edit keywordInsertion(Place p, String keyword, String value) {
        return appendItem(PythonCst.field(p.node, "arguments"), keyword + "=" + p.quote + value + p.quote);
    }

    /** A dict literal, or a name assigned a dict literal exactly once in the file. */
    private Optional<TSNode> dictOf(TSNode value) {
        TSNode v = PythonCst.unparenthesized(value);
        if (v.getType().equals("dictionary")) {
            return Optional.of(v);
        }
        if (v.getType().equals("identifier")) {
            List<TSNode> assigned = assignments(cst.text(v));
            if (assigned.size() == 1) {
                TSNode right = PythonCst.unparenthesized(PythonCst.field(assigned.get(0), "right"));
                if (right != null && right.getType().equals("dictionary")) {
                    return Optional.of(right);
                }
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- dicts of Spark settings

    private void readDicts() {
        for (TSNode dict : cst.nodes("dictionary")) {
            if (ownedDict(dict) || !hasSparkKey(dict)) {
                continue;
            }
            Place p = new Place(Kind.CONF_DICT, dict);
            p.dict = dict;
            p.quote = cst.quoteIn(dict);
            readDictEntries(p, dict);
            places.add(p);
        }
    }

    private boolean ownedDict(TSNode dict) {
        return places.stream()
                .anyMatch(p -> p.kind == Kind.SUBMIT_CALL && p.dict != null && PythonCst.same(p.dict, dict));
    }

    private boolean hasSparkKey(TSNode dict) {
        for (TSNode pair : PythonCst.namedChildren(dict)) {
            if (pair.getType().equals("pair")
                    && cst.stringValue(PythonCst.field(pair, "key"))
                            .filter(k -> k.startsWith("spark."))
                            .isPresent()) {
                return true;
            }
        }
        return false;
    }

    private void readDictEntries(Place p, TSNode dict) {
        for (TSNode entry : PythonCst.namedChildren(dict)) {
            if (!entry.getType().equals("pair")) {
                p.opaqueLines.add(cst.line(entry) + 1);
                continue;
            }
            TSNode value = PythonCst.field(entry, "value");
            Optional<String> key = cst.stringValue(PythonCst.field(entry, "key"));
            if (key.isPresent()) {
                addSite(p, key.get(), key.get(), valueOf(value), value);
            } else {
                p.opaqueLines.add(cst.line(entry) + 1);
            }
        }
    }

    // ---------------------------------------------------------------- spark-submit argument lists

    private void readArgumentLists() {
        for (TSNode list : cst.nodes("list")) {
            List<TSNode> items = PythonCst.namedChildren(list);
            Place p = new Place(Kind.ARGUMENTS, list);
            boolean submit = false;
            for (int i = 0; i < items.size(); i++) {
                Optional<String> s = cst.stringValue(items.get(i));
                if (s.isEmpty()) {
                    continue;
                }
                String token = s.get();
                TSNode next = i + 1 < items.size() ? items.get(i + 1) : null;
                if (token.equals("spark-submit") || token.endsWith("/spark-submit")) {
                    submit = true;
                    lastRow(p, items.get(i), items.get(i));
                } else if (token.equals("--conf") && next != null) {
                    submit = true;
                    p.joinedConf = false;
                    lastRow(p, items.get(i), next);
                    readKeyValueString(p, next, 0);
                    i++;
                } else if (token.startsWith("--conf=")) {
                    submit = true;
                    p.joinedConf = true;
                    lastRow(p, items.get(i), items.get(i));
                    readKeyValueString(p, items.get(i), "--conf=".length());
                } else if (SUBMIT_OPTIONS.containsKey(token) && next != null) {
                    submit = true;
                    lastRow(p, items.get(i), next);
                    addSite(p, SUBMIT_OPTIONS.get(token), token, valueOf(next), next);
                    i++;
                }
            }
            if (submit) {
                p.quote = cst.quoteIn(list);
                places.add(p);
            }
        }
    }

    private static void lastRow(Place p, TSNode first, TSNode last) {
        p.insertAfterRow = first;
        p.insertAfterEnd = last;
    }

    /** A {@code "k=v"} string (from character {@code from} of its value) as a site of key k. */
    private void readKeyValueString(Place p, TSNode string, int from) {
        Optional<String> s = cst.stringValue(string);
        int eq = s.map(v -> v.indexOf('=', from)).orElse(-1);
        if (eq <= from) {
            p.opaqueLines.add(cst.line(string) + 1);
            return;
        }
        String text = s.get();
        int base = PythonCst.contentStart(string);
        Value value = new Value(
                Value.Type.STRING,
                PythonCst.byteOffset(base, text, eq + 1),
                PythonCst.byteOffset(base, text, text.length()),
                Optional.of(text.substring(eq + 1)));
        String key = text.substring(from, eq);
        addSite(p, key, key, value, string);
    }

    // ---------------------------------------------------------------- --conf strings

    private void readConfStrings() {
        for (TSNode string : cst.nodes("string")) {
            Optional<String> text = cst.stringValue(string);
            if (text.isEmpty() || inArgumentList(string)) {
                continue;
            }
            boolean glue = isGlueConf(string);
            Matcher conf = CONF_OPTION.matcher(text.get());
            Matcher memory = MEMORY_OPTION.matcher(text.get());
            Matcher submit = SUBMIT_COMMAND.matcher(text.get());
            boolean qualifies = glue;
            Place p = new Place(Kind.CONF_STRING, string);
            int base = PythonCst.contentStart(string);
            if (glue) {
                Matcher first = GLUE_FIRST.matcher(text.get());
                if (first.find()) {
                    stringSite(p, string, text.get(), first.group(1), first.group(1), first.start(2), first.end(2));
                    p.stringInsertAt = PythonCst.byteOffset(base, text.get(), first.end(2));
                } else {
                    p.stringInsertAt =
                            PythonCst.byteOffset(base, text.get(), text.get().length());
                }
            }
            if (submit.find()) {
                qualifies = true;
                p.stringInsertAt = Math.max(p.stringInsertAt, PythonCst.byteOffset(base, text.get(), submit.end()));
            }
            while (conf.find()) {
                qualifies = true;
                String option = conf.group(1);
                int eq = option.indexOf('=');
                if (eq > 0) {
                    String key = option.substring(0, eq);
                    stringSite(p, string, text.get(), key, key, conf.start(1) + eq + 1, conf.end(1));
                } else {
                    p.opaqueLines.add(cst.line(string) + 1);
                }
                p.stringInsertAt = Math.max(p.stringInsertAt, PythonCst.byteOffset(base, text.get(), conf.end(1)));
            }
            while (memory.find()) {
                stringSite(
                        p,
                        string,
                        text.get(),
                        SUBMIT_OPTIONS.get(memory.group(1)),
                        memory.group(1),
                        memory.start(2),
                        memory.end(2));
                p.stringInsertAt = Math.max(p.stringInsertAt, PythonCst.byteOffset(base, text.get(), memory.end(2)));
            }
            // memory options alone ("--executor-memory 4g" in some text) do not make a spark-submit string
            if (qualifies) {
                p.quote = cst.quote(string);
                places.add(p);
            }
        }
    }

    /** The value of a {@code "--conf": "..."} pair (AWS Glue job arguments). */
    private boolean isGlueConf(TSNode string) {
        TSNode pair = PythonCst.parent(string);
        return pair != null
                && pair.getType().equals("pair")
                && PythonCst.same(PythonCst.field(pair, "value"), string)
                && cst.stringValue(PythonCst.field(pair, "key"))
                        .filter("--conf"::equals)
                        .isPresent();
    }

    private boolean inArgumentList(TSNode string) {
        TSNode parent = PythonCst.parent(string);
        return parent != null
                && parent.getType().equals("list")
                && places.stream().anyMatch(p -> p.kind == Kind.ARGUMENTS && PythonCst.same(p.node, parent));
    }

    private void stringSite(Place p, TSNode string, String text, String key, String writtenAs, int from, int to) {
        int base = PythonCst.contentStart(string);
        String value = text.substring(from, to);
        boolean plain = !value.contains("\"") && !value.contains("'");
        Value v = new Value(
                plain ? Value.Type.STRING : Value.Type.OTHER,
                PythonCst.byteOffset(base, text, from),
                PythonCst.byteOffset(base, text, to),
                plain ? Optional.of(value) : Optional.empty());
        addSite(p, key, writtenAs, v, string);
    }

    // ---------------------------------------------------------------- adding a setting

    /** Where and how a missing setting is added to a place, or why it cannot be. */
    record Insertion(Optional<Edit> edit, String whyNot) {
        static Insertion of(Edit e) {
            return new Insertion(Optional.of(e), "");
        }

        static Insertion cannot(String why) {
            return new Insertion(Optional.empty(), why);
        }
    }

    /**
     * The edit that adds {@code key = value} to a place, in the place's own style: {@code .config(k, v)} just
     * before {@code getOrCreate()}; for a SparkConf a {@code conf.set(k, v)} statement after the last one, or
     * {@code .set(k, v)} at the end of its chain; a pair in a dict; {@code "--conf", "k=v"} after the last
     * option of an argument list; {@code --conf k=v} after the last option of a string. A SparkSubmitOperator
     * gets the key in its {@code conf} dict, or when it has none the {@code executor_memory=}/{@code
     * driver_memory=} argument for memory and {@code conf={...}} for anything else.
     */
    Insertion insertion(Place p, String key, String value) {
        String q = String.valueOf(p.quote);
        String k = q + key + q;
        String v = q + value + q;
        byte[] source = cst.source();
        return switch (p.kind) {
            case BUILDER -> {
                if (p.conf != null) {
                    yield insertion(p.conf, key, value);
                }
                yield p.chain
                        .getOrCreate()
                        .map(l -> Insertion.of(SparkChains.insertBefore(source, l, ".config(" + k + ", " + v + ")")))
                        .orElseGet(() ->
                                Insertion.cannot("the SparkSession builder chain does not end in getOrCreate(); set "
                                        + key + " by hand"));
            }
            case SPARK_CONF -> {
                String call = ".set(" + k + ", " + v + ")";
                if (p.lastSetStatement != null && p.variable != null) {
                    Lines lines = cst.lines();
                    int last = lines.lineOf(p.lastSetStatement.getEndByte());
                    String indent = lines.indentation(cst.line(p.lastSetStatement));
                    yield Insertion.of(Edit.insert(lines.end(last), lines.lineBreak() + indent + p.variable + call));
                }
                yield Insertion.of(SparkChains.append(source, p.chain, call));
            }
            case SUBMIT_CALL -> {
                Optional<String> keyword = submitKeyword(key);
                if (p.dict != null && p.dictSharedWith.isEmpty()) {
                    yield Insertion.of(appendItem(p.dict, k + ": " + v));
                }
                if (keyword.isPresent()) {
                    yield Insertion.of(keywordInsertion(p, keyword.get(), value));
                }
                if (p.dict != null) {
                    yield Insertion.cannot(p.sharedDictReason(cst) + "; set " + key + " for this task by hand");
                }
                TSNode args = PythonCst.field(p.node, "arguments");
                if (cst.keyword(args, "conf").isPresent()) {
                    yield Insertion.cannot("the conf argument of the " + p.describe(cst)
                            + " is not a dict literal; set " + key + " by hand");
                }
                yield Insertion.of(appendItem(args, "conf={" + k + ": " + v + "}"));
            }
            case CONF_DICT -> Insertion.of(appendItem(p.dict, k + ": " + v));
            case ARGUMENTS ->
                Insertion.of(Sequences.insertAfter(
                        cst,
                        p.node,
                        p.insertAfterRow.getStartByte(),
                        p.insertAfterEnd.getEndByte(),
                        p.joinedConf
                                ? q + "--conf=" + key + "=" + value + q
                                : q + "--conf" + q + ", " + q + key + "=" + value + q));
            case CONF_STRING -> Insertion.of(Edit.insert(p.stringInsertAt, " --conf " + key + "=" + value));
        };
    }

    private Edit appendItem(TSNode container, String item) {
        TSNode last = Sequences.lastItem(container);
        return last == null
                ? Sequences.insertFirst(container, item)
                : Sequences.insertAfter(cst, container, last.getStartByte(), last.getEndByte(), item);
    }

    // ---------------------------------------------------------------- shared

    private void addSite(Place owner, String key, String writtenAs, Value value, TSNode at) {
        String spark = LEGACY_KEYS.getOrDefault(key, key);
        Rank rank = LEGACY_KEYS.containsKey(key) ? Rank.LEGACY : writtenAs.equals(key) ? Rank.PRIMARY : Rank.DEDICATED;
        Site site = new Site(spark, writtenAs, rank, value, owner, cst.line(at) + 1);
        if (owner == null) {
            looseSites.add(site);
        } else {
            owner.sites.add(site);
        }
    }

    /** The literal a setting's value is written as. For a plain string only the content bytes are replaced. */
    Value valueOf(TSNode node) {
        TSNode v = PythonCst.unparenthesized(node);
        return switch (v.getType()) {
            case "string" -> {
                if (!cst.isPlainString(v)) {
                    yield new Value(Value.Type.OTHER, v.getStartByte(), v.getEndByte(), Optional.empty());
                }
                TSNode content = PythonCst.stringContent(v);
                int at = PythonCst.contentStart(v);
                yield new Value(
                        Value.Type.STRING,
                        at,
                        content == null ? at : content.getEndByte(),
                        Optional.of(content == null ? "" : cst.text(content)));
            }
            case "integer" ->
                new Value(
                        Value.Type.INTEGER,
                        v.getStartByte(),
                        v.getEndByte(),
                        Optional.of(cst.text(v).replace("_", "")));
            case "unary_operator" -> {
                TSNode arg = PythonCst.field(v, "argument");
                boolean negative = cst.text(v).startsWith("-")
                        && arg != null
                        && arg.getType().equals("integer");
                yield negative
                        ? new Value(
                                Value.Type.INTEGER,
                                v.getStartByte(),
                                v.getEndByte(),
                                Optional.of("-" + cst.text(arg).replace("_", "")))
                        : new Value(Value.Type.OTHER, v.getStartByte(), v.getEndByte(), Optional.empty());
            }
            case "true", "false" ->
                new Value(Value.Type.BOOLEAN, v.getStartByte(), v.getEndByte(), Optional.of(v.getType()));
            default -> new Value(Value.Type.OTHER, v.getStartByte(), v.getEndByte(), Optional.empty());
        };
    }

    /** Assignments {@code name = ...} anywhere in the file. */
    List<TSNode> assignments(String name) {
        List<TSNode> out = new ArrayList<>();
        for (TSNode a : cst.nodes("assignment")) {
            TSNode left = PythonCst.field(a, "left");
            if (left != null
                    && left.getType().equals("identifier")
                    && cst.text(left).equals(name)) {
                out.add(a);
            }
        }
        return out;
    }

    /** The name a node is assigned to, through parentheses: {@code conf = (SparkConf()...)}. */
    private Optional<String> assignedName(TSNode node) {
        TSNode outer = PythonCst.parenthesized(node);
        TSNode assignment = PythonCst.parent(outer);
        if (assignment != null
                && assignment.getType().equals("assignment")
                && PythonCst.same(PythonCst.field(assignment, "right"), outer)) {
            TSNode left = PythonCst.field(assignment, "left");
            if (left != null && left.getType().equals("identifier")) {
                return Optional.of(cst.text(left));
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- Airflow task ids

    /**
     * The Airflow task a place configures: the {@code task_id="..."} of the call it is written in, or of a call
     * given the module-level name it is assigned to ({@code EmrAddStepsOperator(task_id=..., steps=SPARK_STEPS)}).
     */
    private void assignTaskIds() {
        Map<String, java.util.Set<String>> tasksByName = new LinkedHashMap<>();
        for (TSNode call : cst.nodes("call")) {
            TSNode args = PythonCst.field(call, "arguments");
            Optional<String> task = args == null
                    ? Optional.empty()
                    : cst.keyword(args, "task_id").flatMap(cst::stringValue);
            if (task.isEmpty()) {
                continue;
            }
            for (TSNode a : PythonCst.namedChildren(args)) {
                TSNode value = a.getType().equals("keyword_argument") ? PythonCst.field(a, "value") : a;
                if (value != null && PythonCst.unparenthesized(value).getType().equals("identifier")) {
                    tasksByName
                            .computeIfAbsent(
                                    cst.text(PythonCst.unparenthesized(value)), k -> new java.util.LinkedHashSet<>())
                            .add(task.get());
                }
            }
        }
        for (Place p : places) {
            for (TSNode n = p.node; n != null && p.taskId.isEmpty(); n = PythonCst.parent(n)) {
                if (n.getType().equals("call")) {
                    TSNode args = PythonCst.field(n, "arguments");
                    if (args != null) {
                        p.taskId = cst.keyword(args, "task_id").flatMap(cst::stringValue);
                    }
                }
                if (p.taskId.isEmpty() && n.getType().equals("assignment")) {
                    TSNode left = PythonCst.field(n, "left");
                    java.util.Set<String> tasks = left != null && left.getType().equals("identifier")
                            ? tasksByName.getOrDefault(cst.text(left), java.util.Set.of())
                            : java.util.Set.of();
                    // a name given to several tasks configures none of them alone
                    p.taskId = tasks.size() == 1 ? Optional.of(tasks.iterator().next()) : Optional.empty();
                }
            }
        }
    }
}
