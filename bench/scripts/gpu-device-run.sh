#!/bin/bash
# Runs on the lent GPU machine, from the carry folders of bench/scripts/gpu-device-pack.sh (read it
# first): the backend contract tests on ort-cuda (and the others, which skip with their reason), the
# batcher swap stress test on ort-cuda, issue target (b) on ort-cuda, target (a) on ort-cuda (1 and 2
# runners), and (b) on ort-cpu for the same host's CPU beside it; the most wanted first.
# G (default /root/g): where the natives' halves were moved; BACKEND (default ort-cuda): the backend
# the stress test and the benchmarks run, ort-cpu for a dry run without a GPU.
set -u
G=${G:-/root/g}
BACKEND=${BACKEND:-ort-cuda}
cd "$G"
ls -la
cat ort.part-* > ort.tar.xz && mkdir -p ort && tar -xJf ort.tar.xz -C ort && rm -f ort.part-* ort.tar.xz
tar -xJf "$REPO/.gpu/c/jre.tar.xz" && tar -xJf "$REPO/.gpu/c/cp.tar.xz"
ln -sf libonnxruntime.so.1 ort/libonnxruntime.so # already a link in the archive; harmless
LIBS=$(find /opt /usr/local /usr/lib /root -maxdepth 9 \( -name 'libcublasLt.so.13' -o -name 'libcublas.so.13' -o -name 'libcudnn.so.9' -o -name 'libcufft.so.12' -o -name 'libcudart.so.13' \) 2>/dev/null | xargs -r -n1 dirname | sort -u | tr '\n' ':')
echo "CUDA libraries in: $LIBS"
export LD_LIBRARY_PATH="$G/ort:$LIBS/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
nproc; grep -m1 'model name' /proc/cpuinfo
JAVA="$G/jre/bin/java -Donnxruntime.native.path=$G/ort"
CP="$G/cp/test-classes:$G/cp/classes:$G/cp/bench-classes:$(ls $G/cp/lib/*.jar | tr '\n' ':')"
set -o pipefail
$JAVA -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class dev.funnel.model.backend.OrtCudaBackendTest --select-class dev.funnel.model.backend.OrtTensorRtBackendTest \
  --select-class dev.funnel.model.backend.TensorRtBackendTest --select-class dev.funnel.model.backend.OrtCpuBackendTest \
  --select-class dev.funnel.model.backend.BackendsTest 2>&1 | tee "$OUT/tests.txt"
echo "tests rc=$?"
echo "== batcher swap stress on $BACKEND"
$JAVA -Dfunnel.test.backend=$BACKEND -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-method 'dev.funnel.model.batch.BatcherSwapStressTest#everyResultComesFromExactlyOneVersionAndNothingLeaks' \
  --select-method 'dev.funnel.model.batch.BatcherSwapStressTest#twoRunnersKeepEveryInvariant' 2>&1 | tee "$OUT/swap.txt"
echo "swap rc=$?"
SBS="$JAVA -cp $CP dev.funnel.bench.model.SideBySide"
timeout 240 $SBS 4 1500 b 1 2 learned $BACKEND 64x32,256x128,1024x512 2>&1 | grep -v SLF4J | tee -a "$OUT/b.txt"
for r in 1 2; do
  timeout 150 $SBS 4 2000 a 1 $r empty $BACKEND 2>&1 | grep -v SLF4J | tee -a "$OUT/a.txt"
done
timeout 240 $SBS 4 1500 b 1 2 learned ort-cpu 64x32,256x128,1024x512 2>&1 | grep -v SLF4J | tee -a "$OUT/b-cpu.txt"
nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv
