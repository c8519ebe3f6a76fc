package org.un2clip.conf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one configuration tree: {@code un2clip/defaults.conf} on the class path, then an optional file
 * (a preset or the user's), then {@code --set key=value} overrides, last one wins.
 *
 * <p>Every key given by the user must exist in the defaults and have a compatible type; the error
 * names the key, the expected type and where the value came from. Keys under {@code pekko.} pass
 * through to Pekko unchecked, and so does anything below a default that is an empty object (an
 * open map).
 */
public final class Un2clipConfig {
    public static final String DEFAULTS_RESOURCE = "un2clip/defaults.conf";
    public static final String PRESETS_RESOURCE_DIR = "un2clip/presets/";
    private static final String PASS_THROUGH_PREFIX = "pekko";

    private Un2clipConfig() {}

    /** The documented defaults alone. */
    public static Config defaults() {
        return ConfigFactory.parseResources(Un2clipConfig.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    }

    /**
     * Loads defaults + file + overrides and validates every user-given key.
     *
     * @param file a HOCON file, or a preset name such as {@code tiny} (conf/presets/tiny.conf)
     * @param overrides {@code key=value} strings, HOCON value syntax
     */
    public static Config load(Optional<String> file, List<String> overrides) {
        Config defaults = defaults();
        Config merged = defaults;
        if (file.isPresent()) {
            Config fromFile = parseFileOrPreset(file.get());
            validate(fromFile, defaults, "file " + file.get());
            merged = fromFile.withFallback(merged);
        }
        for (String override : overrides) {
            Config one = parseOverride(override);
            validate(one, defaults, "--set " + override);
            merged = one.withFallback(merged);
        }
        try {
            return merged.resolve();
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("configuration does not resolve: " + e.getMessage(), e);
        }
    }

    /** Loads a preset or file with no overrides. */
    public static Config load(String fileOrPreset) {
        return load(Optional.of(fileOrPreset), List.of());
    }

    private static Config parseFileOrPreset(String name) {
        Path path = Path.of(name);
        try {
            if (Files.isRegularFile(path)) {
                return ConfigFactory.parseFile(path.toFile(),
                        ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
            }
            String preset = name.endsWith(".conf") ? name : name + ".conf";
            if (Un2clipConfig.class.getClassLoader().getResource(PRESETS_RESOURCE_DIR + preset) != null) {
                return ConfigFactory.parseResources(Un2clipConfig.class.getClassLoader(),
                        PRESETS_RESOURCE_DIR + preset);
            }
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("cannot parse configuration file " + name + ": " + e.getMessage(), e);
        }
        throw new ConfigException("configuration file " + name
                + " does not exist (neither a file nor a preset in conf/presets/)");
    }

    private static Config parseOverride(String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set expects key=value, got '" + override + "'");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1).trim();
        try {
            return ConfigFactory.parseString(key + " = " + value);
        } catch (com.typesafe.config.ConfigException e) {
            // A bare word with characters HOCON rejects is meant as a string.
            try {
                return ConfigFactory.parseString(key + " = " + quote(value));
            } catch (com.typesafe.config.ConfigException again) {
                throw new ConfigException("--set " + override + ": not a valid key or value: " + e.getMessage(), e);
            }
        }
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void validate(Config given, Config defaults, String source) {
        for (Map.Entry<String, ConfigValue> entry : given.entrySet()) {
            String key = entry.getKey();
            if (key.equals(PASS_THROUGH_PREFIX) || key.startsWith(PASS_THROUGH_PREFIX + ".") || underOpenMap(key, defaults)) {
                continue;
            }
            if (!defaults.hasPathOrNull(key)) {
                throw new ConfigException("unknown configuration key '" + key + "' (from " + source + ")"
                        + suggestion(key, defaults));
            }
            checkType(key, entry.getValue(), defaults, source);
        }
    }

    private static boolean underOpenMap(String key, Config defaults) {
        String path = key;
        int dot;
        while ((dot = path.lastIndexOf('.')) > 0) {
            path = path.substring(0, dot);
            if (defaults.hasPath(path) && defaults.getValue(path).valueType() == ConfigValueType.OBJECT
                    && ((ConfigObject) defaults.getValue(path)).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static void checkType(String key, ConfigValue value, Config defaults, String source) {
        if (defaults.getIsNull(key) || value.valueType() == ConfigValueType.NULL) {
            return;
        }
        ConfigValue expected = defaults.getValue(key);
        Config probe = ConfigFactory.empty().withValue(key, value);
        String expectedName = describe(expected);
        try {
            switch (expected.valueType()) {
                case NUMBER -> {
                    Object unwrapped = expected.unwrapped();
                    if ((unwrapped instanceof Integer || unwrapped instanceof Long) && !writtenAsDecimal(expected)) {
                        probe.getLong(key);
                        if (!(probe.getNumber(key) instanceof Integer || probe.getNumber(key) instanceof Long)) {
                            throw new ConfigException("not an integer");
                        }
                    } else {
                        probe.getDouble(key);
                    }
                }
                case BOOLEAN -> probe.getBoolean(key);
                case STRING -> {
                    if (value.valueType() != ConfigValueType.STRING && value.valueType() != ConfigValueType.NUMBER
                            && value.valueType() != ConfigValueType.BOOLEAN) {
                        throw new ConfigException("not a string");
                    }
                    if (looksLikeDuration(expected.unwrapped().toString())) {
                        probe.getDuration(key);
                    }
                }
                case LIST -> probe.getList(key);
                case OBJECT -> probe.getObject(key);
                default -> { }
            }
        } catch (com.typesafe.config.ConfigException | ConfigException e) {
            throw new ConfigException("configuration key '" + key + "' expects " + expectedName + ", got "
                    + value.render().strip() + " (from " + source + ")");
        }
    }

    private static String describe(ConfigValue expected) {
        return switch (expected.valueType()) {
            case NUMBER -> (expected.unwrapped() instanceof Integer || expected.unwrapped() instanceof Long)
                    && !writtenAsDecimal(expected) ? "an integer" : "a number";
            case BOOLEAN -> "a boolean (true/false)";
            case STRING -> looksLikeDuration(expected.unwrapped().toString()) ? "a duration (e.g. 30s, 5m)" : "a string";
            case LIST -> "a list";
            case OBJECT -> "an object";
            default -> expected.valueType().name().toLowerCase();
        };
    }

    /**
     * Typesafe Config stores a whole decimal default such as {@code 0.0} or {@code 1.0} as an int, which would
     * reject {@code --set key=0.5}: the default's own text (its line in defaults.conf) decides instead.
     */
    private static boolean writtenAsDecimal(ConfigValue expected) {
        java.net.URL url = expected.origin().url();
        int line = expected.origin().lineNumber();
        if (url == null || line <= 0) {
            return false;
        }
        try (java.io.InputStream in = url.openStream()) {
            List<String> lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            if (line > lines.size()) {
                return false;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("[=:]\\s*([-+0-9.eE]+)\\s*(#.*)?$")
                    .matcher(lines.get(line - 1).strip());
            return m.find() && m.group(1).matches(".*[.eE].*");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static boolean looksLikeDuration(String s) {
        return s.matches("\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|seconds|minutes|hours|days)");
    }

    private static String suggestion(String key, Config defaults) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, ConfigValue> entry : defaults.entrySet()) {
            int d = editDistance(key, entry.getKey());
            if (d < bestDistance) {
                bestDistance = d;
                best = entry.getKey();
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 4) ? "; did you mean '" + best + "'?" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
