// Kafka's own verdict on key=value cases, for the catalog's differential test
// (tests/catalog_differential.rs): reads `key TAB value` lines on stdin (values hold no tab or newline), and
// for each prints `ok` or `err TAB <Kafka's message>`, from what
// ConfigDef.parse does for one key: its own (package-private) parseValue,
// reached by reflection, so every step of the version's parsing counts
// (4.2+ drops a repeated list entry before the validator). One JVM per
// Kafka version and batch.
//
// Usage: java -cp 'classes:target/kafka/<v>/libs/*' Verdicts < cases

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.config.ConfigDef;

public class Verdicts {
    public static void main(String[] args) throws Exception {
        ConfigDef def = (ConfigDef) Class.forName("org.apache.kafka.server.config.AbstractKafkaConfig")
            .getField("CONFIG_DEF").get(null);
        Method parseValue = ConfigDef.class.getDeclaredMethod(
            "parseValue", ConfigDef.ConfigKey.class, Object.class, boolean.class);
        parseValue.setAccessible(true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            String name = line.substring(0, tab);
            String value = line.substring(tab + 1);
            ConfigDef.ConfigKey key = def.configKeys().get(name);
            try {
                if (key == null) throw new IllegalStateException("no key " + name);
                parseValue.invoke(def, key, value, true);
                out.append("ok\n");
            } catch (InvocationTargetException | RuntimeException e) {
                Throwable t = e instanceof InvocationTargetException ? e.getCause() : e;
                out.append("err\t").append(String.valueOf(t.getMessage()).replace("\n", "\\n")).append('\n');
            }
        }
        System.out.print(out);
    }
}
