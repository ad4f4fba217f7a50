#!/usr/bin/env bash
# Packs what the GPU checks need for a lent GPU machine that has CUDA 13 and cuDNN 9 (as pip
# packages) but no JDK, no Maven and no network, and takes at most 64 MiB per call: a jlink'd JRE 17,
# the model-runtime and bench classes with the jars they use (ONNX Runtime's Java classes without
# its CPU natives), and the CUDA 13 ONNX Runtime natives of bin/ort-cuda13-natives, xz-compressed
# and split into three carry folders under .gpu/ (ignored: add /.gpu/ to .git/info/exclude):
#   .gpu/a, .gpu/b  two halves of the natives: carry each in its own call, moving it out of the
#                   repo (mkdir -p /root/g && mv .gpu/a/* /root/g/), so it stays on the warm machine
#   .gpu/c          JRE, classes, gpu-device-run.sh (and the serve script, and gpu-device-env.sh which both
#                   source): the third call runs
#                   REPO=$PWD bash .gpu/c/gpu-device-run.sh
# The three calls must follow each other within the machine's warm period. A GPU host with a JDK
# and network needs none of this: see README "GPU inference".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
./mvnw -B -q -o -pl model-runtime,bench -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp-test.txt -Dmdep.includeScope=test
bin/ort-cuda13-natives "$W/ort" >/dev/null
mkdir -p "$W/cp/lib" "$W/cp/bench-classes"
cp -r model-runtime/target/classes "$W/cp/classes"
cp -r model-runtime/target/test-classes "$W/cp/test-classes"
for m in bench features engine index sim operators exposure streams trainer; do cp -r "$m/target/classes/." "$W/cp/bench-classes/"; done
# the jars the bench and the model runtime's tests use, but ONNX Runtime's (its classes travel
# without its CPU natives, below), JavaCPP's natives for other platforms, and what only the
# streams, the exposure store and the server need (Kafka, Chronicle, Redis, TLS, compression): the
# 64 MiB a call may carry. Dry-run the pack here before spending device time on it:
#   mkdir -p /tmp/g && cp .gpu/a/* .gpu/b/* /tmp/g/ && G=/tmp/g OUT=/tmp/gout BACKEND=ort-cpu REPO=$PWD bash .gpu/c/gpu-device-run.sh
EXCLUDE='/onnxruntime-[0-9.]*\.jar$|-(windows|macosx|android|ios|linux-(arm|ppc))|kafka|zstd|snappy|lz4|bouncycastle|openhft|chronicle|/jnr|jffi|/jna|lucene|gatling|lettuce|redis'
cat bench/target/cp-test.txt model-runtime/target/cp-test.txt | tr ':' '\n' | grep '\.jar$' | sort -u \
  | grep -v -E "$EXCLUDE" | xargs -I{} cp {} "$W/cp/lib/"
./mvnw -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.4 -DoutputDirectory="$W/cp/lib"
ORT_JAR=$(tr ':' '\n' < model-runtime/target/cp-test.txt | grep '/onnxruntime-[0-9.]*\.jar$')
(mkdir "$W/ortcls" && cd "$W/ortcls" && unzip -q "$ORT_JAR" -x 'ai/onnxruntime/native/*' && zip -q -r "$W/cp/lib/onnxruntime-classes.jar" .)
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported,java.xml,java.scripting,java.instrument,java.naming,jdk.zipfs,java.compiler${SERVE:+,jdk.compiler,jdk.crypto.ec,jdk.crypto.cryptoki,java.security.jgss,java.security.sasl,java.sql,java.net.http,java.desktop,jdk.jfr,jdk.net,jdk.naming.dns,java.rmi,java.management.rmi,jdk.localedata} \
  --strip-debug --no-header-files --no-man-pages --output "$W/jre"
rm -rf .gpu && mkdir -p .gpu/a .gpu/b .gpu/c
tar -cf - -C "$W/ort" . | xz -6 -T2 > "$W/ort.tar.xz"
split -n 2 "$W/ort.tar.xz" "$W/ort.part-"
mv "$W/ort.part-aa" .gpu/a/ && mv "$W/ort.part-ab" .gpu/b/
tar -cf - -C "$W" jre | xz -6 -T2 > .gpu/c/jre.tar.xz
tar -cf - -C "$W" cp | xz -6 -T2 > .gpu/c/cp.tar.xz
cp bench/scripts/gpu-device-env.sh bench/scripts/gpu-device-run.sh bench/scripts/gpu-device-serve.sh .gpu/c/
if [[ "${SERVE:-0}" == "1" ]]; then
  # .gpu/d: the server jar for gpu-device-serve.sh, less the natives the GPU host does not load
  # (ONNX Runtime's come from the CUDA 13 directory; other platforms' of every library): ~50 MB.
  ./mvnw -B -q -o -pl server -am package -DskipTests
  mkdir -p .gpu/d && cp server/target/funnel.jar .gpu/d/funnel.jar
  python3 - .gpu/d/funnel.jar <<'PY'
import re, shutil, sys, zipfile
src = sys.argv[1]
native = re.compile(r'\.(so|dll|dylib|jnilib|a)$|\.so\.')
x64 = re.compile(r'amd64|x86_64|x86-64|x64', re.I)
other_os = re.compile(r'(^|/)(win|mac)/|windows|win32|win-|darwin|osx|macos|freebsd|openbsd|sunos|aix|dragonfly', re.I)
def keep(name):
    if name.startswith('ai/onnxruntime/native/'):
        return False
    if not native.search(name):
        return True
    return bool(x64.search(name)) and not other_os.search(name)
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(src + '.tmp', 'w', zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        if keep(info.filename):
            zout.writestr(info, zin.read(info.filename))
shutil.move(src + '.tmp', src)
PY
fi
du -sh .gpu/*
