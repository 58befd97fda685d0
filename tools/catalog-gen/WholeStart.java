// Kafka's own verdict on a whole server.properties, for the whole-start
// differential test (tests/whole_start_differential.rs): Kafka's start-up
// path up to, not including, the network and the controllers, in the order
// a node runs it:
//   1. config: KafkaConfig.fromProps (every key's parser and validator, then
//      the cross-key `require`s of KafkaConfig), and each sub-config KafkaConfig
//      builds (group coordinator, share group, remote log, quorum): their
//      constructors hold further `require`s;
//   2. format (KRaft): the storage format step, `kafka-storage.sh format
//      --config F --cluster-id ID --ignore-formatted`, as kafka-init's
//      properties flavor runs it, through StorageTool.execute;
//   3. controller activation (a KRaft controller on 3.9, where ZooKeeper
//      migration exists): the bootstrap metadata read back from the formatted
//      metadata dir as KafkaRaftServer reads it (BootstrapDirectory with the
//      IBP), then the records the active controller writes to an empty log
//      (ActivationRecordsGenerator.recordsForEmptyLog, with the migration
//      flag): it refuses a metadata.version without ZooKeeper migration;
//   4. log manager (a broker: ZooKeeper mode or a KRaft broker role): the log
//      manager built and started as the broker does (LogManager.apply, then
//      startup, which starts the log cleaner), then shut down.
// The data dirs (log.dirs, log.dir, metadata.log.dir, cordoned.log.dirs) are moved under a fresh
// temporary directory, each entry as written, so duplicates stay duplicates.
//
// Input (stdin), per case: `case TAB <cluster id or -> TAB <release version or ->`,
// then the properties text, then a line `--end--`. Output: per case one line,
// `ok` or `err TAB <step>: <Kafka's message>`.
// Version-specific classes and signatures are reached by reflection, so one
// source compiles against every supported version's jars.
//
// Usage: java -cp 'classes:target/kafka/<v>/libs/*' WholeStart < cases

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

public class WholeStart {
    /** Thrown instead of exiting the JVM when Kafka's code calls Exit.exit or Exit.halt. */
    static class ExitCalled extends RuntimeException {
        ExitCalled(int code, String message) { super("exit " + code + (message == null ? "" : ": " + message)); }
    }

    public static void main(String[] args) throws Exception {
        trapExit();
        // Kafka logs to System.out; the verdicts alone go to stdout.
        PrintStream out = new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] head = line.split("\t", -1);
            if (head.length != 3 || !head[0].equals("case")) throw new IllegalStateException("bad case header: " + line);
            StringBuilder text = new StringBuilder();
            while (!(line = in.readLine()).equals("--end--")) text.append(line).append('\n');
            String verdict;
            File tmp = Files.createTempDirectory("whole-start").toFile();
            try {
                verdict = judge(text.toString(), head[1], head[2], tmp);
            } finally {
                delete(tmp);
            }
            out.println(verdict.replace("\n", "\\n").replace("\r", "\\r"));
        }
    }

    static String judge(String text, String clusterId, String release, File tmp) throws Exception {
        Properties props = new Properties();
        props.load(new StringReader(text));
        for (String key : new String[] {"log.dirs", "log.dir", "metadata.log.dir", "cordoned.log.dirs"}) {
            String v = props.getProperty(key);
            if (v == null) continue;
            List<String> moved = new ArrayList<>();
            for (String d : v.split(",", -1)) moved.add(d.trim().isEmpty() || d.trim().equals("*") ? d : tmp.getPath() + "/data" + d.trim());
            props.setProperty(key, String.join(",", moved));
        }
        String step = "config";
        try {
            Object config = kafkaConfig(props);
            for (Method m : config.getClass().getMethods()) {
                // The sub-configs KafkaConfig builds, some lazily: their constructors hold `require`s.
                if (m.getParameterCount() == 0 && m.getName().endsWith("Config")
                        && m.getReturnType().getSimpleName().endsWith("Config")
                        && !m.getName().equals("dynamicConfig")) {
                    m.invoke(config);
                }
            }
            String roles = props.getProperty("process.roles", "").trim();
            boolean kraft = !roles.isEmpty();
            if (kraft) {
                step = "format";
                File file = new File(tmp, "server.properties");
                try (FileOutputStream f = new FileOutputStream(file)) { props.store(f, null); }
                List<String> argv = new ArrayList<>(List.of("format", "--config", file.getPath(),
                    "--cluster-id", clusterId, "--ignore-formatted"));
                if (!release.equals("-")) { argv.add("--release-version"); argv.add(release); }
                ByteArrayOutputStream said = new ByteArrayOutputStream();
                Method execute = Class.forName("kafka.tools.StorageTool").getMethod("execute", String[].class, PrintStream.class);
                int code = (Integer) execute.invoke(null, argv.toArray(new String[0]), new PrintStream(said, true, "UTF-8"));
                if (code != 0) return "err\tformat: exit " + code + ": " + said.toString("UTF-8").trim();
            }
            if (kraft && roles.contains("controller")) {
                step = "controller activation";
                activate(config);
            }
            if (!kraft || roles.contains("broker")) {
                step = "log manager";
                logManager(config);
            }
            return "ok";
        } catch (InvocationTargetException e) {
            return "err\t" + step + ": " + message(e.getCause());
        } catch (Throwable e) {
            return "err\t" + step + ": " + message(e);
        }
    }

    /** Exit.exit and Exit.halt throw instead (Exit is in common.utils before 4.1, common.utils.internals after). */
    static void trapExit() throws Exception {
        Class<?> exit;
        try {
            exit = Class.forName("org.apache.kafka.common.utils.internals.Exit");
        } catch (ClassNotFoundException e) {
            exit = Class.forName("org.apache.kafka.common.utils.Exit");
        }
        Class<?> procedure = Class.forName(exit.getName() + "$Procedure");
        Object thrower = Proxy.newProxyInstance(procedure.getClassLoader(), new Class<?>[] {procedure},
            (p, m, a) -> { throw new ExitCalled((Integer) a[0], (String) a[1]); });
        exit.getMethod("setExitProcedure", procedure).invoke(null, thrower);
        exit.getMethod("setHaltProcedure", procedure).invoke(null, thrower);
    }

    static String message(Throwable e) {
        while (e instanceof InvocationTargetException && e.getCause() != null) e = e.getCause();
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    static Object kafkaConfig(Properties props) throws Exception {
        Method from = Class.forName("kafka.server.KafkaConfig").getMethod("fromProps", Properties.class, boolean.class);
        return from.invoke(null, props, false);
    }

    /** The active controller's first records on an empty log (3.9's signature; 4.x has no migration flag and is skipped). */
    static void activate(Object config) throws Exception {
        Method generate = null;
        for (Method m : Class.forName("org.apache.kafka.controller.ActivationRecordsGenerator").getDeclaredMethods()) {
            if (m.getName().equals("recordsForEmptyLog") && m.getParameterCount() == 5
                    && m.getParameterTypes()[2] == boolean.class) generate = m;
        }
        if (generate == null) return;
        generate.setAccessible(true);
        Class<?> cls = config.getClass();
        String dir = (String) cls.getMethod("metadataLogDir").invoke(config);
        String ibp = (String) cls.getMethod("interBrokerProtocolVersionString").invoke(config);
        boolean migration = (Boolean) cls.getMethod("migrationEnabled").invoke(config);
        Class<?> bootstrapDir = Class.forName("org.apache.kafka.metadata.bootstrap.BootstrapDirectory");
        Object bootstrap = bootstrapDir.getMethod("read").invoke(
            bootstrapDir.getConstructor(String.class, java.util.Optional.class).newInstance(dir, java.util.Optional.ofNullable(ibp)));
        Object version = bootstrap.getClass().getMethod("metadataVersion").invoke(bootstrap);
        java.util.function.Consumer<String> said = m -> { };
        generate.invoke(null, said, -1L, migration, bootstrap, version);
    }

    /** LogManager.apply with the broker's arguments, then startup (loads the dirs, starts the cleaner), then shutdown. */
    static void logManager(Object config) throws Exception {
        Method apply = null;
        for (Method m : Class.forName("kafka.log.LogManager").getMethods()) {
            if (m.getName().equals("apply") && m.getParameterCount() > 0
                    && m.getParameterTypes()[0].getName().equals("kafka.server.KafkaConfig")) apply = m;
        }
        if (apply == null) throw new IllegalStateException("no LogManager.apply");
        Object scheduler = Class.forName("org.apache.kafka.server.util.KafkaScheduler").getConstructor(int.class).newInstance(1);
        scheduler.getClass().getMethod("startup").invoke(scheduler);
        Class<?>[] types = apply.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            String n = t.getName();
            if (n.equals("kafka.server.KafkaConfig")) args[i] = config;
            else if (n.equals("scala.collection.Seq") || n.equals("scala.collection.immutable.Seq")) args[i] = scalaNil();
            else if (n.equals("java.util.Set")) args[i] = Collections.emptySet();
            else if (n.endsWith("ConfigRepository")) args[i] = Proxy.newProxyInstance(t.getClassLoader(), new Class<?>[] {t}, (p, m, a) -> m.getReturnType() == Properties.class ? new Properties() : null);
            else if (n.endsWith("Scheduler")) args[i] = scheduler;
            else if (n.equals("org.apache.kafka.common.utils.Time")) args[i] = org.apache.kafka.common.utils.Time.SYSTEM;
            else if (n.endsWith("BrokerTopicStats")) args[i] = t.getConstructor(boolean.class).newInstance(false);
            else if (n.endsWith("LogDirFailureChannel")) args[i] = t.getConstructor(int.class).newInstance(8);
            else if (t == boolean.class) args[i] = true;
            else throw new IllegalStateException("LogManager.apply: no argument for " + n);
        }
        Object lm = apply.invoke(null, args);
        try {
            Method startup = null;
            for (Method m : lm.getClass().getMethods()) if (m.getName().equals("startup") && m.getParameterCount() == 2) startup = m;
            Class<?>[] st = startup.getParameterTypes();
            Object topics = st[0].getName().startsWith("scala") ? scalaEmptySet() : Collections.emptySet();
            Object isStray = st[1].getName().startsWith("scala")
                ? lm.getClass().getMethod("startup$default$2").invoke(lm)
                : (java.util.function.Function<Object, Boolean>) l -> false;
            startup.invoke(lm, topics, isStray);
        } finally {
            lm.getClass().getMethod("shutdown", long.class).invoke(lm, -1L);
            scheduler.getClass().getMethod("shutdown").invoke(scheduler);
        }
    }

    static Object scalaNil() throws Exception {
        return Class.forName("scala.collection.immutable.Nil$").getField("MODULE$").get(null);
    }

    static Object scalaEmptySet() throws Exception {
        Object companion = Class.forName("scala.collection.immutable.Set$").getField("MODULE$").get(null);
        return companion.getClass().getMethod("empty").invoke(companion);
    }

    static void delete(File f) {
        File[] children = f.listFiles();
        if (children != null) for (File c : children) delete(c);
        f.delete();
    }
}
