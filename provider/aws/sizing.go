package aws

import (
	"fmt"
	"math"
)

// fargateSize is one valid Fargate task size: CPU units (1024 = 1 vCPU) and
// memory in MiB.
type fargateSize struct {
	CPU       int
	MemoryMiB int64
}

// fargateSizes lists every valid Fargate CPU/memory combination up to 16 vCPU
// and 120 GB, smallest first (by CPU, then memory), as documented in
// "Task CPU and memory" of the Amazon ECS developer guide.
var fargateSizes = func() []fargateSize {
	var sizes []fargateSize
	add := func(cpu int, fromGiB, toGiB, stepGiB float64) {
		for g := fromGiB; g <= toGiB; g += stepGiB {
			sizes = append(sizes, fargateSize{cpu, int64(g * 1024)})
		}
	}
	sizes = append(sizes, fargateSize{256, 512}, fargateSize{256, 1024}, fargateSize{256, 2048})
	add(512, 1, 4, 1)
	add(1024, 2, 8, 1)
	add(2048, 4, 16, 1)
	add(4096, 8, 30, 1)
	add(8192, 16, 60, 4)
	add(16384, 32, 120, 8)
	return sizes
}()

// Defaults when a compose service reserves nothing: the smallest Fargate task.
const (
	defaultCPUs      = 0.25
	defaultMemoryMiB = 512
)

// fargateTaskSize picks the smallest valid Fargate size that holds the
// requested vCPUs and memory (0 means unset and takes the smallest).
func fargateTaskSize(cpus float64, memoryMiB int64) (fargateSize, error) {
	if cpus < 0 || memoryMiB < 0 {
		return fargateSize{}, fmt.Errorf("negative resources (cpus %v, memory %d MiB)", cpus, memoryMiB)
	}
	cpuUnits := int(math.Ceil(cpus * 1024))
	for _, s := range fargateSizes {
		if s.CPU >= cpuUnits && s.MemoryMiB >= memoryMiB {
			return s, nil
		}
	}
	return fargateSize{}, fmt.Errorf("%g vCPU and %d MiB exceed the largest Fargate task (16 vCPU, 120 GB)", cpus, memoryMiB)
}
