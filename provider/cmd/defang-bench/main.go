// Command defang-bench measures the built binaries, as a user runs them,
// and prints a markdown table (`make bench` runs it after the Go
// benchmarks):
//
//   - defang-plan over generated compose apps of 1, 10, 100 and 500
//     services (internal/benchapp: built and image-only, ingress, private
//     and worker services, config secrets, managed stores): wall time
//     (median of -runs) and peak resident memory, read from GNU time's
//     `-v` report ("Maximum resident set size");
//
//   - pulumi-resource-defang's start-up: from starting the process to a
//     served GetSchema over gRPC, the first thing the engine asks for
//     (median of -runs).
//
//     defang-bench [-plan bin/defang-plan] [-plugin bin/pulumi-resource-defang] [-sizes 1,10,100,500] [-runs 3]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/DefangLabs/pulumi-defang/provider/internal/benchapp"
)

func main() {
	planBin := flag.String("plan", "bin/defang-plan", "the defang-plan binary")
	pluginBin := flag.String("plugin", "bin/pulumi-resource-defang", "the provider plugin binary")
	sizes := flag.String("sizes", "1,10,100,500", "service counts of the generated apps")
	runs := flag.Int("runs", 3, "runs per measurement (the median is reported)")
	mode := flag.String("mode", "affordable", "deployment mode planned")
	stores := flag.Bool("stores", os.Getenv("DEFANG_BENCH_STORES") != "0", "include managed Postgres and Redis stores")
	flag.Parse()
	if err := run(os.Stdout, *planBin, *pluginBin, *sizes, *runs, *mode, *stores); err != nil {
		fmt.Fprintln(os.Stderr, "defang-bench:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, planBin, pluginBin, sizes string, runs int, mode string, stores bool) error {
	if _, err := exec.LookPath("/usr/bin/time"); err != nil {
		return fmt.Errorf("GNU time (/usr/bin/time) is needed for peak memory: %w", err)
	}
	tmp, err := os.MkdirTemp("", "defang-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintf(w, "Machine: %s\n\n", machine())
	fmt.Fprintf(w, "| services | resources planned | defang-plan wall time (median of %d) | peak RSS |\n|---:|---:|---:|---:|\n", runs)
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-sizes: %w", err)
		}
		dir := filepath.Join(tmp, fmt.Sprintf("app%d", n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		file, cfg, err := benchapp.Write(dir, benchapp.Options{Services: n, Stores: stores})
		if err != nil {
			return err
		}
		args := []string{"--cloud", "aws", "--mode", mode, "--format", "json"}
		names := make([]string, 0, len(cfg))
		for k := range cfg {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			args = append(args, "--config", k+"="+cfg[k])
		}
		args = append(args, file)
		var walls []time.Duration
		var rss int64
		var resources int
		for i := 0; i < runs; i++ {
			wall, kb, count, err := timePlan(tmp, planBin, args)
			if err != nil {
				return fmt.Errorf("%d services: %w", n, err)
			}
			walls = append(walls, wall)
			rss = max(rss, kb)
			resources = count
		}
		fmt.Fprintf(w, "| %d | %d | %s | %s |\n", n, resources, median(walls).Round(time.Millisecond), mib(rss))
	}

	var starts []time.Duration
	var schemaBytes int
	for i := 0; i < runs; i++ {
		d, size, err := schemaStartup(pluginBin)
		if err != nil {
			return fmt.Errorf("plugin start-up: %w", err)
		}
		starts = append(starts, d)
		schemaBytes = size
	}
	fmt.Fprintf(w, "\n| pulumi-resource-defang | median of %d |\n|---|---:|\n| start to a served GetSchema (%d KiB schema) | %s |\n",
		runs, schemaBytes/1024, median(starts).Round(time.Millisecond))
	return nil
}

// timePlan runs defang-plan under GNU time: its wall time, peak RSS in
// KiB and the number of resources it planned.
func timePlan(tmp, planBin string, args []string) (time.Duration, int64, int, error) {
	stats := filepath.Join(tmp, "time.txt")
	out := filepath.Join(tmp, "plan.json")
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	cmd := exec.Command("/usr/bin/time", append([]string{"-v", "-o", stats, planBin}, args...)...)
	cmd.Stdout = f
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %v\n%s", planBin, err, tail(stderr.String()))
	}
	wall := time.Since(start)
	report, err := os.ReadFile(stats)
	if err != nil {
		return 0, 0, 0, err
	}
	var kb int64
	for _, line := range strings.Split(string(report), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Maximum resident set size (kbytes):"); ok {
			kb, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	if kb == 0 {
		return 0, 0, 0, fmt.Errorf("no maximum resident set size in GNU time's report:\n%s", report)
	}
	var plan struct{ Resources []json.RawMessage }
	b, err := os.ReadFile(out)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := json.Unmarshal(b, &plan); err != nil {
		return 0, 0, 0, fmt.Errorf("plan output: %w", err)
	}
	return wall, kb, len(plan.Resources), nil
}

// schemaStartup starts the plugin as the engine's attach mode does (no
// engine address: it serves and prints its port), calls GetSchema, and
// stops it. It returns the time from start to the schema and its size.
func schemaStartup(pluginBin string) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, pluginBin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt) // the engine stops plugins with SIGINT
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return 0, 0, fmt.Errorf("reading the plugin's port: %w", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return 0, 0, fmt.Errorf("the plugin printed %q, not a port", line)
	}
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	resp, err := pulumirpc.NewResourceProviderClient(conn).GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	if err != nil {
		return 0, 0, err
	}
	return time.Since(start), len(resp.GetSchema()), nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func mib(kb int64) string { return fmt.Sprintf("%.0f MiB", float64(kb)/1024) }

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}

// machine describes this machine: CPUs, CPU model and memory.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/1024/1024)
			}
		}
	}
	return fmt.Sprintf("%d CPUs (nproc), %s%s, %s/%s, %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
