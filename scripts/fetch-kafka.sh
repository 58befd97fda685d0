#!/usr/bin/env bash
# Fetches a Kafka broker + tools classpath from Maven Central into
# target/kafka/<version>/libs (jars cached in ~/.m2 between runs), and writes
# a log4j config beside it. Usage: scripts/fetch-kafka.sh 3.9.0 [4.4.0 ...]
# (scripts/gen-catalog.sh fetches every version the catalog supports.)
set -euo pipefail
cd "$(dirname "$0")/.."
for version in "$@"; do
  dest="target/kafka/$version"
  if [ -f "$dest/.complete" ]; then echo "kafka $version: cached in $dest"; continue; fi
  mkdir -p "$dest"
  case "$version" in
    3.*) logging='<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>' ;;
    # Kafka 4.x logs through log4j2; its slf4j-api is 1.7, so the 1.x binding.
    *)   logging='<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency><dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>' ;;
  esac
  cat > "$dest/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafka-init.test</groupId><artifactId>kafka-classpath</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$version</version></dependency>
    $logging
  </dependencies>
</project>
POM
  mvn -q -B -f "$dest/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=libs
  case "$version" in
    3.*) printf '%s\n' 'log4j.rootLogger=INFO, stdout' 'log4j.appender.stdout=org.apache.log4j.ConsoleAppender' \
           'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout' \
           'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n' \
           'log4j.logger.kafka.request.logger=WARN' 'log4j.logger.org.apache.zookeeper=WARN' > "$dest/log4j.properties" ;;
    *)   printf '%s\n' 'status = warn' 'appender.out.type = Console' 'appender.out.name = out' \
           'appender.out.layout.type = PatternLayout' 'appender.out.layout.pattern = [%d] %p %m (%c)%n' \
           'rootLogger.level = info' 'rootLogger.appenderRef.out.ref = out' > "$dest/log4j2.properties" ;;
  esac
  touch "$dest/.complete"
  echo "kafka $version: $(ls "$dest/libs" | wc -l) jars in $dest/libs"
done
