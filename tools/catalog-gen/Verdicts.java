// Kafka's own verdict on key=value cases, for the catalog's differential test
// (tests/catalog_differential.rs): reads `key TAB value` lines on stdin (values hold no tab or newline), and
// for each prints `ok` or `err TAB <Kafka's message>`, after doing what
// ConfigDef.parse does for one key: ConfigDef.parseType, then the key's
// validator. One JVM per Kafka version and batch.
//
// Usage: java -cp 'classes:target/kafka/<v>/libs/*' Verdicts < cases

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.config.ConfigDef;

public class Verdicts {
    public static void main(String[] args) throws Exception {
        ConfigDef def = (ConfigDef) Class.forName("org.apache.kafka.server.config.AbstractKafkaConfig")
            .getField("CONFIG_DEF").get(null);
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
                Object parsed = ConfigDef.parseType(name, value, key.type);
                if (key.validator != null) key.validator.ensureValid(name, parsed);
                out.append("ok\n");
            } catch (RuntimeException e) {
                out.append("err\t").append(String.valueOf(e.getMessage()).replace("\n", "\\n")).append('\n');
            }
        }
        System.out.print(out);
    }
}
