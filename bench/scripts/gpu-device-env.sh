# Sourced by gpu-device-run.sh and gpu-device-serve.sh on the lent GPU machine: unpacks, once, what
# gpu-device-pack.sh carried (the natives' halves moved to $G, the JRE and classes in $REPO/.gpu/c)
# and puts the CUDA 13 / cuDNN 9 libraries the natives need on LD_LIBRARY_PATH and the JRE on PATH.
# G (default /root/g): where the natives' halves were moved.
G=${G:-/root/g}
cd "$G" || exit 1
ls -la
[ -d ort ] || { cat ort.part-* > ort.tar.xz && mkdir -p ort && tar -xJf ort.tar.xz -C ort && rm -f ort.part-* ort.tar.xz; }
[ -d jre ] || tar -xJf "$REPO/.gpu/c/jre.tar.xz"
[ -d cp ] || tar -xJf "$REPO/.gpu/c/cp.tar.xz"
ln -sf libonnxruntime.so.1 ort/libonnxruntime.so # already a link in the archive; harmless
LIBS=$(find /opt /usr/local /usr/lib /root -maxdepth 9 \( -name 'libcublasLt.so.13' -o -name 'libcublas.so.13' -o -name 'libcudnn.so.9' -o -name 'libcufft.so.12' -o -name 'libcudart.so.13' \) 2>/dev/null | xargs -r -n1 dirname | sort -u | tr '\n' ':')
echo "CUDA libraries in: $LIBS"
export LD_LIBRARY_PATH="$G/ort:$LIBS/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
export PATH="$G/jre/bin:$PATH"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
nproc; grep -m1 'model name' /proc/cpuinfo
