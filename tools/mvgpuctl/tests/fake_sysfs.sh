# SPDX-License-Identifier: GPL-2.0
#
# fake_sysfs.sh - build a fake sysfs tree of mvgpu for mvgpuctl's unit tests
# (sourced; POSIX sh).  The layout follows the kernel's:
#
#   devices/virtual/mvgpu/mvgpu<N>/                pGPU attributes
#   devices/virtual/mvgpu/mvgpu<N>/mdev_supported_types/<type>/
#   devices/virtual/mvgpu/mvgpu<N>/<uuid>/         vGPU (mdev device)
#   class/mvgpu/mvgpu<N>, class/mdev_bus/mvgpu<N>  -> the pGPU
#   bus/mdev/devices/<uuid>                        -> the vGPU
#
# A PCI-backed pGPU lives under devices/pci0000:00/.../<slot>/mvgpu/ with a
# "device" link to its PCI parent, which has vendor, device and class.
#
# Nothing here acts like the kernel: writing "create" or "remove" only
# leaves the value in the file, for the tests to check.

# fake_file PATH VALUE
fake_file() {
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
}

# fake_root ROOT: an empty tree with mvgpu "loaded" (class/mvgpu exists)
fake_root() {
	mkdir -p "$1/class/mvgpu" "$1/class/mdev_bus" "$1/bus/mdev/devices" \
		"$1/bus/pci/devices" "$1/devices/virtual/mvgpu" "$1/kernel/iommu_groups"
}

# fake_pgpu ROOT N [VRAM_MB [ENGINES [BACKEND [PCI_SLOT]]]]: pGPU mvgpu<N>,
# no vGPUs and no types yet; its directory is printed.
fake_pgpu() {
	root=$1 n=$2 mb=${3:-256} eng=${4:-4} backend=${5:-sim} slot=${6:-}
	if [ -n "$slot" ]; then
		pdev=$root/devices/pci0000:00/0000:00:01.0/$slot
		mkdir -p "$pdev" "$root/bus/pci/devices" "$root/bus/pci/drivers"
		ln -sfn ../../../../bus/pci "$pdev/subsystem"
		ln -sfn "../../../devices/pci0000:00/0000:00:01.0/$slot" "$root/bus/pci/devices/$slot"
		dev=$pdev/mvgpu/mvgpu$n
		mkdir -p "$dev"
		ln -sfn "../../../$slot" "$dev/device"
		ln -sfn "../../devices/pci0000:00/0000:00:01.0/$slot/mvgpu/mvgpu$n" "$root/class/mvgpu/mvgpu$n"
		ln -sfn "../../devices/pci0000:00/0000:00:01.0/$slot/mvgpu/mvgpu$n" "$root/class/mdev_bus/mvgpu$n"
	else
		dev=$root/devices/virtual/mvgpu/mvgpu$n
		mkdir -p "$dev"
		ln -sfn "../../devices/virtual/mvgpu/mvgpu$n" "$root/class/mvgpu/mvgpu$n"
		ln -sfn "../../devices/virtual/mvgpu/mvgpu$n" "$root/class/mdev_bus/mvgpu$n"
	fi
	fake_file "$dev/backend" "$backend"
	fake_file "$dev/vram_bytes" $((mb * 1048576))
	fake_file "$dev/vram_free_bytes" $((mb * 1048576))
	fake_file "$dev/engines" "$eng"
	fake_file "$dev/engines_shared" "$eng"
	fake_file "$dev/vgpus" 0
	busy=0
	i=1
	while [ $i -lt "$eng" ]; do busy="$busy 0"; i=$((i + 1)); done
	fake_file "$dev/engine_busy_ns" "$busy"
	mkdir -p "$dev/mdev_supported_types"
	echo "$dev"
}

# fake_pci_ids ROOT SLOT VENDOR DEVICE CLASS: IDs of a PCI parent
fake_pci_ids() {
	pdev=$1/devices/pci0000:00/0000:00:01.0/$2
	fake_file "$pdev/vendor" "$3"
	fake_file "$pdev/device" "$4"
	fake_file "$pdev/class" "$5"
	fake_file "$pdev/numa_node" 0
}

# fake_type DEV TYPE DESCRIPTION AVAILABLE
fake_type() {
	t=$1/mdev_supported_types/$2
	mkdir -p "$t/devices"
	fake_file "$t/name" "mvgpu ${2#mvgpu-}"
	fake_file "$t/description" "$3"
	fake_file "$t/available_instances" "$4"
	fake_file "$t/device_api" vfio-pci
	: >"$t/create"
}

# fake_default_types DEV: the five types of a 256 MiB, 4-engine sim pGPU
fake_default_types() {
	fake_type "$1" mvgpu-ts-32m "time-sliced: vram=32 MiB, engines=4 shared, profile=0x0005" 8
	fake_type "$1" mvgpu-ts-64m "time-sliced: vram=64 MiB, engines=4 shared, profile=0x0006" 4
	fake_type "$1" mvgpu-ts-128m "time-sliced: vram=128 MiB, engines=4 shared, profile=0x0007" 2
	fake_type "$1" mvgpu-part-1e-64m "partitioned: vram=64 MiB, engines=1 dedicated, profile=0x8106" 3
	fake_type "$1" mvgpu-part-2e-128m "partitioned: vram=128 MiB, engines=2 dedicated, profile=0x8207" 1
}

# fake_vgpu ROOT DEV TYPE UUID [VRAM_MB [ENGINE_MASK [WEIGHT [CAP [SLICE]]]]]
fake_vgpu() {
	root=$1 dev=$2 type=$3 uuid=$4
	v=$dev/$uuid
	mkdir -p "$v/mvgpu" "$v/mvgpu_stats"
	: >"$v/remove"
	ln -sfn "../mdev_supported_types/$type" "$v/mdev_type"
	ln -sfn "../../../$uuid" "$dev/mdev_supported_types/$type/devices/$uuid"
	# bus/mdev/devices/<uuid> -> the vGPU, relative to the tree's root
	rel=${v#"$root"/}
	ln -sfn "../../../$rel" "$root/bus/mdev/devices/$uuid"
	mkdir -p "$root/kernel/iommu_groups/7"
	ln -sfn ../../../../kernel/iommu_groups/7 "$v/iommu_group"
	fake_file "$v/mvgpu/profile" "${type#mvgpu-}"
	fake_file "$v/mvgpu/vram_bytes" $((${5:-64} * 1048576))
	fake_file "$v/mvgpu/engine_mask" "${6:-0x0}"
	fake_file "$v/mvgpu/weight" "${7:-100}"
	fake_file "$v/mvgpu/cap" "${8:-0}"
	fake_file "$v/mvgpu/timeslice_us" "${9:-2000}"
	for s in submissions completions fences busy_ns context_switches \
		preemptions queue_wait_ns queue_wait_max_ns doorbells irqs \
		errors resets; do
		fake_file "$v/mvgpu_stats/$s" 0
	done
}

# fake_foreign_mdev ROOT UUID: an mdev device of another driver
fake_foreign_mdev() {
	d=$1/devices/virtual/other/other0/$2
	mkdir -p "$d"
	: >"$d/remove"
	ln -sfn "../../../devices/virtual/other/other0/$2" "$1/bus/mdev/devices/$2"
}
